// `lastpass-elastic pipeline --test --update` regenerates the expected files and sample_event.json on a fixed clock
// (PIPELINE_TEST_CLOCK): run twice on a copy of the package it writes identical bytes, and those bytes are the ones
// committed here (so the generated docs, which embed the sample events, cannot go stale through an update).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main, memoryIo } from '@lastpass-elastic/cli';
import { PIPELINE_TEST_CLOCK } from '@lastpass-elastic/ingest';

const root = join(__dirname, '..', '..');

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

async function update(pkgRoot: string): Promise<{ code: number; out: string }> {
  const io = memoryIo({ cwd: pkgRoot });
  const code = await main(['pipeline', '--test', '--update', '--root', pkgRoot], io);
  return { code, out: io.out() };
}

describe('pipeline --test --update', () => {
  let copy = '';
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'lastpass-elastic-update-'));
    for (const f of ['manifest.yml', 'changelog.yml']) cpSync(join(root, f), join(copy, f));
    cpSync(join(root, 'data_stream'), join(copy, 'data_stream'), { recursive: true });
  });
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  it('writes identical files when run twice, equal to the committed ones', async () => {
    const first = await update(copy);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/sample_event\.json/);
    const afterFirst = snapshot(join(copy, 'data_stream'));
    const second = await update(copy);
    expect(second.code).toBe(0);
    const afterSecond = snapshot(join(copy, 'data_stream'));
    expect([...afterSecond.keys()]).toEqual([...afterFirst.keys()]);
    for (const [file, text] of afterFirst) expect([file, afterSecond.get(file)]).toEqual([file, text]);
    const committed = snapshot(join(root, 'data_stream'));
    for (const [file, text] of afterSecond) expect([file, committed.get(file)]).toEqual([file, text]);
  });

  it('stamps the sample events with the fixed, documented clock', () => {
    const samples = readdirSync(join(copy, 'data_stream')).map(
      (ds) =>
        JSON.parse(readFileSync(join(copy, 'data_stream', ds, 'sample_event.json'), 'utf8')) as {
          event?: { ingested?: unknown };
        },
    );
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) expect(s.event?.ingested).toBe(`${PIPELINE_TEST_CLOCK.slice(0, 19)}Z`);
  });
});
