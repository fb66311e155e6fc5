import { bulkSubset, encodeBulk, serializeDocument } from '../src/sink/serialize';
import { documentFactory, makeDocument, type RawDocument } from '../src/streams/types';

const envelope = {
  accountNumber: '8771312',
  timeZone: 'America/New_York',
  namespace: 'default',
  tags: ['forwarded'],
  preserveOriginalEvent: true,
};

describe('serializeDocument (the JSON encodeBulk writes)', () => {
  const factory = documentFactory('event_report', envelope);
  const awkward = 'quote " backslash \\ newline \n tab \t nul \u0000 é 😀 lone \ud800 end';
  const withOccurrence = factory.fromRecord({ Time: 't', Data: awkward });
  withOccurrence.lastpass_enterprise = { event_report: { occurrence: 3 } };
  const snapshot = makeDocument('user', envelope, { id: '1', username: awkward, groups: ['a'] });
  snapshot.lastpass_enterprise = { snapshot: { id: 'snap-1', started_at: '2024-03-02T00:00:00Z' } };
  const replaced = {
    ...factory.fromText('{}'),
    data_stream: { type: 'logs', dataset: 'x', namespace: 'y' },
  } as const;
  const cases: [string, RawDocument][] = [
    ['an event document', factory.fromRecord({ Time: 't', Data: awkward })],
    ['an event document with its occurrence', withOccurrence],
    ['a snapshot document', snapshot],
    ['a copy whose data_stream was replaced', replaced],
    [
      'a copy with a field the fast path does not write (the copy keeps the symbol)',
      { ...factory.fromText('{}'), extra: { kept: true } } as RawDocument,
    ],
    [
      'a document not made by a factory',
      {
        message: 'm',
        data_stream: { type: 'logs', dataset: 'x', namespace: 'y' },
        _conf: { account_number: '1', time_zone: 'UTC' },
        tags: [],
      },
    ],
  ];

  it.each(cases)('%s: the same JSON value as JSON.stringify', (_name, doc) => {
    const text = serializeDocument(doc);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('writes event documents byte for byte as JSON.stringify does', () => {
    expect(serializeDocument(withOccurrence)).toBe(JSON.stringify(withOccurrence));
    expect(serializeDocument(replaced)).toBe(JSON.stringify(replaced));
  });

  it('shares the envelope parts (frozen) between the documents of one factory', () => {
    const a = factory.fromText('1');
    const b = factory.fromText('2');
    expect(a.data_stream).toBe(b.data_stream);
    expect(a.tags).toBe(b.tags);
    expect(Object.isFrozen(a._conf)).toBe(true);
    expect(a.tags).toEqual(['forwarded', 'preserve_original_event']);
  });
});

describe('encodeBulk / bulkSubset', () => {
  const factory = documentFactory('event_report', envelope);
  const docs = ['{"a":"é"}', '{"b":"😀"}', 'x'.repeat(5000)].map((m) => factory.fromText(m));
  const action = '{"create":{"_index":"logs-x-default"}}\n';
  const expected = (i: number): string => `${action}${JSON.stringify(docs[i])}\n`;

  it('is the action + line of each document, UTF-8, past the first size guess', () => {
    const bulk = encodeBulk(action, docs);
    expect(bulk.body.toString('utf8')).toBe(expected(0) + expected(1) + expected(2));
    expect(Array.from(bulk.starts)).toEqual([
      0,
      Buffer.byteLength(expected(0)),
      Buffer.byteLength(expected(0) + expected(1)),
      bulk.body.length,
    ]);
  });

  it('a retry body holds exactly the documents picked, in that order', () => {
    const bulk = encodeBulk(action, docs);
    expect(bulkSubset(bulk, [2, 0]).toString('utf8')).toBe(expected(2) + expected(0));
    expect(bulkSubset(bulk, []).length).toBe(0);
  });
});
