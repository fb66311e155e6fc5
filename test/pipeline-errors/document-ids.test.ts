// Document ids (contracts §4) are made only by the package pipelines: fingerprint SHA-1, base64, copied
// to event.id. Golden files compare event.id but cannot say "must differ", so these assertions do; and they
// pin the exact recipe (the fingerprint processor's byte stream: fields sorted by name, each value fed as
// 0x00 + UTF-8) so that any other implementation can predict an id.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExecutor, loadPackagePipelines } from '@lastpass-elastic/ingest';
import { fleetPipelineName, loadPackage } from '@lastpass-elastic/package-model';

const root = join(__dirname, '..', '..');
const pkg = loadPackage(root);
const executor = createExecutor({
  pipelines: loadPackagePipelines(pkg),
  now: () => new Date('2026-01-01T00:00:00Z'),
});

function run(stream: string, source: Record<string, unknown>): { id: string | undefined; eventId: unknown } {
  const ds = pkg.dataStreams.find((d) => d.name === stream)!;
  const result = executor.process(fleetPipelineName(pkg, ds), {
    _index: `logs-${ds.dataset}-default`,
    _source: source,
  });
  if (result.kind !== 'indexed') throw new Error(`not indexed: ${JSON.stringify(result)}`);
  return { id: result._id, eventId: (result._source['event'] as Record<string, unknown>)['id'] };
}

/** SHA-1 over 0x00 + UTF-8 of each value, values ordered by their (pipeline) field names, base64. */
function recipe(valuesInFieldNameOrder: string[]): string {
  const hash = createHash('sha1');
  for (const v of valuesInFieldNameOrder)
    hash.update(Buffer.concat([Buffer.from([0]), Buffer.from(v, 'utf8')]));
  return hash.digest('base64');
}

function events(stream: string, file: string): Record<string, unknown>[] {
  const path = join(root, 'data_stream', stream, '_dev/test/pipeline', file);
  return (JSON.parse(readFileSync(path, 'utf8')) as { events: Record<string, unknown>[] }).events;
}

describe('document ids', () => {
  it('event_report: occurrence separates identical same-second records; a re-read gives the same id', () => {
    const [first, second, reread, otherAccount, noOccurrence] = events(
      'event_report',
      'test-repeats.json',
    ).map((e) => run('event_report', e));
    expect(first!.id).toEqual(first!.eventId);
    expect(second!.id).not.toEqual(first!.id);
    expect(reread!.id).toEqual(first!.id);
    expect(otherAccount!.id).not.toEqual(first!.id);
    expect(noOccurrence!.id).toEqual(first!.id);
    // field order by name: _tmp.occurrence, _tmp.record.{Action,Data,IP_Address,Time,Username}, organization.id
    expect(first!.id).toBe(
      recipe([
        '0',
        'Failed Login Attempt',
        '',
        '192.0.2.10',
        '2024-03-01 10:00:00',
        'ana@example.com',
        '8771312',
      ]),
    );
    expect(second!.id).toBe(
      recipe([
        '1',
        'Failed Login Attempt',
        '',
        '192.0.2.10',
        '2024-03-01 10:00:00',
        'ana@example.com',
        '8771312',
      ]),
    );
  });

  it('user: account, snapshot and user id, or the invitee email', () => {
    const [bo, , invitee, anaNextSnapshot] = events('user', 'test-users.json').map((e) => run('user', e));
    // _tmp.key, lastpass_enterprise.snapshot.id, organization.id
    expect(bo!.id).toBe(recipe(['456589433', '2024-03-01T06:00:00Z-0001', '8771312']));
    expect(invitee!.id).toBe(recipe(['dee@example.com', '2024-03-01T06:00:00Z-0001', '8771312']));
    expect(anaNextSnapshot!.id).toBe(recipe(['453055833', '2024-03-02T06:00:00Z-0002', '8771312']));
    expect(bo!.eventId).toBe(bo!.id);
  });

  it('detailed_shared_folder: account, snapshot, folder id, member ("" for a memberless folder)', () => {
    const docs = events('detailed_shared_folder', 'test-folders.json').map((e) =>
      run('detailed_shared_folder', e),
    );
    // _tmp.member, _tmp.record.id, lastpass_enterprise.snapshot.id, organization.id
    expect(docs[0]!.id).toBe(
      recipe(['jane.user@example.com', '101', '2024-03-01T06:00:00Z-0001', '8771312']),
    );
    expect(docs[3]!.id).toBe(recipe(['', '104', '2024-03-01T06:00:00Z-0001', '8771312']));
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
  });
});
