import { createHash } from 'node:crypto';
import { failure, run, source } from './helpers';

const one = (processor: Record<string, unknown>, doc: Record<string, unknown>) => run([processor], doc);

describe('set', () => {
  it('renders templates, keeps constant types, copies with copy_from', () => {
    expect(
      source(one({ set: { field: 'x', value: '{{{a}}}-{{b.c}}' } }, { a: 'A', b: { c: 'C' } }))['x'],
    ).toBe('A-C');
    expect(source(one({ set: { field: 'x', value: 5 } }, {}))['x']).toBe(5);
    expect(source(one({ set: { field: 'x', value: { k: '{{{a}}}' } } }, { a: 'v' }))['x']).toEqual({
      k: 'v',
    });
    const doc = source(one({ set: { field: 'x', copy_from: 'o' } }, { o: { deep: [1] } }));
    expect(doc['x']).toEqual({ deep: [1] });
  });

  it('override false still replaces null; ignore_empty_value skips empty renders', () => {
    expect(source(one({ set: { field: 'x', value: 1, override: false } }, { x: 2 }))['x']).toBe(2);
    expect(source(one({ set: { field: 'x', value: 1, override: false } }, { x: null }))['x']).toBe(1);
    expect(
      source(one({ set: { field: 'x', value: '{{{missing}}}', ignore_empty_value: true } }, {})),
    ).toEqual({});
    expect(source(one({ set: { field: 'x', copy_from: 'missing', ignore_empty_value: true } }, {}))).toEqual(
      {},
    );
  });

  it('escapes {{x}} as JSON and leaves {{{x}}} raw', () => {
    expect(source(one({ set: { field: 'x', value: '{{a}}' } }, { a: 'say "hi"' }))['x']).toBe('say \\"hi\\"');
    expect(
      source(one({ set: { field: 'x', value: '{{a}}', media_type: 'text/plain' } }, { a: '"' }))['x'],
    ).toBe('"');
  });

  it('fails on a missing copy_from and rejects copy_from with value', () => {
    expect(failure(one({ set: { field: 'x', copy_from: 'nope' } }, {})).reason).toBe(
      'field [nope] not present as part of path [nope]',
    );
    expect(() => one({ set: { field: 'x', value: 1, copy_from: 'a' } }, {})).toThrow(/cannot set both/);
  });
});

describe('rename / remove / append', () => {
  it('rename moves values, refuses existing targets unless override, honours ignore_missing', () => {
    expect(source(one({ rename: { field: 'a', target_field: 'b.c' } }, { a: 1 }))).toEqual({ b: { c: 1 } });
    expect(failure(one({ rename: { field: 'a', target_field: 'b' } }, { a: 1, b: null })).reason).toBe(
      'field [b] already exists',
    );
    expect(
      source(one({ rename: { field: 'a', target_field: 'b', override: true } }, { a: 1, b: 2 })),
    ).toEqual({ b: 1 });
    expect(failure(one({ rename: { field: 'a', target_field: 'b' } }, {})).reason).toBe(
      "field [a] doesn't exist",
    );
    expect(source(one({ rename: { field: 'a', target_field: 'b', ignore_missing: true } }, {}))).toEqual({});
  });

  it('rename renders field and target_field first and uses the rendered text as the path', () => {
    // As RenameProcessor does: `{{message}}` names the field whose name is message's value, not `message`.
    expect(
      source(
        one({ rename: { field: '{{message}}', target_field: 'event.original' } }, { message: 'a', a: 1 }),
      ),
    ).toEqual({ message: 'a', event: { original: 1 } });
    expect(
      failure(one({ rename: { field: '{{message}}', target_field: 'event.original' } }, { message: 'test' }))
        .reason,
    ).toBe("field [test] doesn't exist");
    expect(source(one({ rename: { field: 'a', target_field: '{{{t}}}.x' } }, { a: 1, t: 'n' }))).toEqual({
      t: 'n',
      n: { x: 1 },
    });
    // A missing variable renders empty; with ignore_missing that is a quiet no-op.
    expect(
      source(
        one({ rename: { field: '{{foo}}', target_field: 'bar', ignore_missing: true } }, { message: 'test' }),
      ),
    ).toEqual({ message: 'test' });
  });

  it('remove removes lists of fields, fails on the first missing one after earlier removals', () => {
    expect(source(one({ remove: { field: ['a', 'b.c'] } }, { a: 1, b: { c: 2, d: 3 } }))).toEqual({
      b: { d: 3 },
    });
    expect(failure(one({ remove: { field: ['a', 'zz'] } }, { a: 1 })).reason).toBe(
      'field [zz] not present as part of path [zz]',
    );
    expect(source(one({ remove: { field: ['a', 'zz'], ignore_missing: true } }, { a: 1, k: 0 }))).toEqual({
      k: 0,
    });
  });

  it('remove keep retains only the listed fields', () => {
    expect(source(one({ remove: { keep: ['a.b', 'c'] } }, { a: { b: 1, x: 2 }, c: 3, d: 4 }))).toEqual({
      a: { b: 1 },
      c: 3,
    });
  });

  it('append creates lists, flattens one level, promotes scalars, skips duplicates when asked', () => {
    expect(source(one({ append: { field: 't', value: ['a', 'b'] } }, {}))['t']).toEqual(['a', 'b']);
    expect(source(one({ append: { field: 't', value: 'b' } }, { t: 'a' }))['t']).toEqual(['a', 'b']);
    expect(
      source(one({ append: { field: 't', value: 'a', allow_duplicates: false } }, { t: 'a' }))['t'],
    ).toBe('a');
    expect(
      source(one({ append: { field: 't', value: ['x', 'x'], allow_duplicates: false } }, {}))['t'],
    ).toEqual(['x']);
  });
});

describe('json / convert', () => {
  it('json parses objects into target_field and fails on bad JSON', () => {
    expect(
      source(one({ json: { field: 'm', target_field: 'j' } }, { m: '{"a":[1,{"b":null}]}' }))['j'],
    ).toEqual({ a: [1, { b: null }] });
    expect(failure(one({ json: { field: 'm' } }, { m: '{oops' })).type).toBe('illegal_argument_exception');
    expect(failure(one({ json: { field: 'm' } }, { m: '{"a":1,"a":2}' })).reason).toMatch(
      /Duplicate field 'a'/,
    );
    expect(source(one({ json: { field: 'm', add_to_root: true } }, { m: '{"a":1}' }))).toEqual({
      m: '{"a":1}',
      a: 1,
    });
  });

  it('convert handles integer/long/double/boolean/string/ip with Elasticsearch errors', () => {
    expect(source(one({ convert: { field: 'n', type: 'integer' } }, { n: '0x1F' }))['n']).toBe(31);
    expect(source(one({ convert: { field: 'n', type: 'long' } }, { n: '12' }))['n']).toBe(12);
    expect(source(one({ convert: { field: 'n', type: 'double' } }, { n: ' 1.5 ' }))['n']).toBe(1.5);
    expect(source(one({ convert: { field: 'n', type: 'boolean' } }, { n: 'TRUE' }))['n']).toBe(true);
    expect(source(one({ convert: { field: 'n', type: 'string' } }, { n: 1.0 }))['n']).toBe('1');
    expect(source(one({ convert: { field: 'n', type: 'integer' } }, { n: ['1', '2'] }))['n']).toEqual([1, 2]);
    expect(source(one({ convert: { field: 'ip', type: 'ip' } }, { ip: '2001:db8::1' }))['ip']).toBe(
      '2001:db8::1',
    );
    expect(failure(one({ convert: { field: 'n', type: 'integer' } }, { n: '1.5' })).reason).toBe(
      'unable to convert [1.5] to integer',
    );
    expect(failure(one({ convert: { field: 'n', type: 'boolean' } }, { n: 'yes' })).reason).toBe(
      '[yes] is not a boolean value, cannot convert to boolean',
    );
    expect(failure(one({ convert: { field: 'ip', type: 'ip' } }, { ip: '999.1.1.1' })).type).toBe(
      'illegal_argument_exception',
    );
    expect(failure(one({ convert: { field: 'n', type: 'long' } }, { n: null })).reason).toBe(
      'Field [n] is null, cannot be converted to type [long]',
    );
  });

  it('convert string prints Java number text for doubles from JSON', () => {
    const doc = source(
      run([{ json: { field: 'm', target_field: 'j' } }, { convert: { field: 'j.d', type: 'string' } }], {
        m: '{"d":1.0}',
      }),
    );
    expect((doc['j'] as Record<string, unknown>)['d']).toBe('1.0');
  });
});

describe('string processors', () => {
  it('lowercase/uppercase/trim on strings and lists; cast errors otherwise', () => {
    expect(source(one({ lowercase: { field: 's' } }, { s: 'AbC' }))['s']).toBe('abc');
    expect(source(one({ uppercase: { field: 's', target_field: 't' } }, { s: ['a', 'b'] }))['t']).toEqual([
      'A',
      'B',
    ]);
    expect(source(one({ trim: { field: 's' } }, { s: '\t x \u00a0' }))['s']).toBe('x \u00a0');
    expect(failure(one({ lowercase: { field: 's' } }, { s: 5 })).reason).toBe(
      'field [s] of type [java.lang.Integer] cannot be cast to [java.lang.String]',
    );
    expect(source(one({ lowercase: { field: 's', ignore_missing: true } }, {}))).toEqual({});
  });

  it('split uses a Java regex and drops trailing empty strings', () => {
    expect(source(one({ split: { field: 's', separator: '\\s*,\\s*' } }, { s: 'a , b,,c,,' }))['s']).toEqual([
      'a',
      'b',
      '',
      'c',
    ]);
    expect(
      source(one({ split: { field: 's', separator: ',', preserve_trailing: true } }, { s: 'a,' }))['s'],
    ).toEqual(['a', '']);
    expect(failure(one({ split: { field: 's', separator: ',' } }, { s: 1 })).reason).toMatch(
      /cannot be cast/,
    );
  });

  it('gsub uses Java replacement syntax', () => {
    expect(
      source(
        one({ gsub: { field: 's', pattern: '(\\w+)@(\\w+)', replacement: '$2 at $1' } }, { s: 'ana@corp' }),
      )['s'],
    ).toBe('corp at ana');
    expect(source(one({ gsub: { field: 's', pattern: '\\.', replacement: '\\$' } }, { s: 'a.b' }))['s']).toBe(
      'a$b',
    );
  });

  it('join needs a list and prints elements with Java toString', () => {
    expect(source(one({ join: { field: 'l', separator: '-' } }, { l: ['a', 1, true] }))['l']).toBe(
      'a-1-true',
    );
    expect(failure(one({ join: { field: 'l', separator: '-' } }, { l: 'x' })).reason).toBe(
      'field [l] of type [java.lang.String] cannot be cast to [java.util.List]',
    );
  });

  it('urldecode, html_strip, bytes', () => {
    expect(source(one({ urldecode: { field: 's' } }, { s: 'a%20b+c' }))['s']).toBe('a b c');
    expect(source(one({ html_strip: { field: 's' } }, { s: '<b>x</b> &amp; y' }))['s']).toBe('x & y');
    expect(source(one({ bytes: { field: 's' } }, { s: '1kb' }))['s']).toBe(1024);
    expect(failure(one({ bytes: { field: 's' } }, { s: 'lots' })).reason).toMatch(/failed to parse setting/);
  });
});

describe('dissect / kv / csv / grok', () => {
  it('dissect splits on delimiters with append, skip and right padding', () => {
    const doc = source(
      one({ dissect: { field: 'm', pattern: '%{a} %{+a} %{?skip} %{b->} %{c}' } }, { m: 'x y z b     c d' }),
    );
    expect(doc).toMatchObject({ a: 'xy', b: 'b', c: 'c d' });
    expect(failure(one({ dissect: { field: 'm', pattern: '%{a},%{b}' } }, { m: 'no comma' })).reason).toBe(
      'Unable to find match for dissect pattern: %{a},%{b} against source: no comma',
    );
    expect(() => one({ dissect: { field: 'm', pattern: 'no keys' } }, {})).toThrow(/Unable to parse pattern/);
  });

  it('kv splits pairs and fails without value_split', () => {
    expect(
      source(
        one({ kv: { field: 'm', field_split: ' ', value_split: '=', target_field: 'kv' } }, { m: 'a=1 b=2' }),
      )['kv'],
    ).toEqual({ a: '1', b: '2' });
    expect(failure(one({ kv: { field: 'm', field_split: ' ', value_split: '=' } }, { m: 'a' })).reason).toBe(
      'field [m] does not contain value_split [=]',
    );
  });

  it('csv parses quotes and trims when asked', () => {
    expect(
      source(
        one({ csv: { field: 'm', target_fields: ['a', 'b', 'c'], trim: true } }, { m: ' x , "y,""z""" ,w' }),
      ),
    ).toMatchObject({ a: 'x', b: 'y,"z"', c: 'w' });
  });

  it('grok: typed captures, pattern_definitions, no match, unknown pattern at load', () => {
    const doc = source(
      one(
        {
          grok: {
            field: 'm',
            patterns: ['%{NUMBER:n:float} %{WORD:w} %{MY:z:int}'],
            pattern_definitions: { MY: '\\d+' },
          },
        },
        { m: '1.5 ok 42' },
      ),
    );
    expect(doc).toMatchObject({ n: 1.5, w: 'ok', z: 42 });
    expect(failure(one({ grok: { field: 'm', patterns: ['%{INT:i}'] } }, { m: 'abc' })).reason).toBe(
      'Provided Grok expressions do not match field value: [abc]',
    );
    expect(() => one({ grok: { field: 'm', patterns: ['%{NOPE:x}'] } }, {})).toThrow(
      /Unable to find pattern \[NOPE\]/,
    );
  });
});

describe('date', () => {
  const date = (value: string, formats: string[], timezone?: string) =>
    one({ date: { field: 't', formats, ...(timezone !== undefined ? { timezone } : {}) } }, { t: value });

  it('parses java.time patterns in a zone and prints the default output format', () => {
    expect(
      source(date('2024-03-01 09:51:51', ['yyyy-MM-dd HH:mm:ss'], 'America/New_York'))['@timestamp'],
    ).toBe('2024-03-01T09:51:51.000-05:00');
    expect(source(date('10/Mar/2024:08:08:00 +0100', ['dd/MMM/yyyy:HH:mm:ss Z']))['@timestamp']).toBe(
      '2024-03-10T07:08:00.000Z',
    );
  });

  it('DST: a repeated local time takes the earlier offset, a gap time moves forward', () => {
    expect(
      source(date('2024-11-03 01:30:00', ['yyyy-MM-dd HH:mm:ss'], 'America/New_York'))['@timestamp'],
    ).toBe('2024-11-03T01:30:00.000-04:00');
    expect(
      source(date('2024-03-10 02:30:00', ['yyyy-MM-dd HH:mm:ss'], 'America/New_York'))['@timestamp'],
    ).toBe('2024-03-10T03:30:00.000-04:00');
  });

  it('ISO8601, UNIX, UNIX_MS and the templated timezone', () => {
    expect(source(date('2024-01-02T03:04:05.678+02:00', ['ISO8601']))['@timestamp']).toBe(
      '2024-01-02T01:04:05.678Z',
    );
    expect(source(date('1700000000.5', ['UNIX']))['@timestamp']).toBe('2023-11-14T22:13:20.500Z');
    expect(source(date('1700000000123', ['UNIX_MS']))['@timestamp']).toBe('2023-11-14T22:13:20.123Z');
    const doc = source(
      run([{ date: { field: 't', formats: ['yyyy-MM-dd HH:mm:ss'], timezone: '{{{tz}}}' } }], {
        t: '2024-07-01 12:00:00',
        tz: 'Europe/Berlin',
      }),
    );
    expect(doc['@timestamp']).toBe('2024-07-01T12:00:00.000+02:00');
  });

  it('tries formats in order and fails with the Elasticsearch message', () => {
    expect(source(date('2024-01-02', ['yyyy-MM-dd HH:mm:ss', 'yyyy-MM-dd']))['@timestamp']).toBe(
      '2024-01-02T00:00:00.000Z',
    );
    expect(failure(date('2024-02-30 00:00:00', ['yyyy-MM-dd HH:mm:ss'])).reason).toBe(
      'unable to parse date [2024-02-30 00:00:00]',
    );
    expect(failure(date('2024-01-01 00:00:00', ['yyyy-MM-dd HH:mm:ss'], 'Not/AZone')).reason).toBe(
      'unable to parse date [2024-01-01 00:00:00]',
    );
  });
});

describe('fingerprint / community_id / network_direction / geoip / uri_parts / registered_domain', () => {
  it('fingerprint reproduces the processor documentation vector', () => {
    const doc = source(
      one(
        { fingerprint: { fields: ['user'] } },
        { user: { last_name: 'Smith', first_name: 'John', date_of_birth: '1980-01-15', is_active: true } },
      ),
    );
    expect(doc['fingerprint']).toBe('WbSUPW4zY1PBPehh2AA/sSxiRjw=');
  });

  it('fingerprint over strings hashes NUL-prefixed UTF-8 values in sorted field order, salt first', () => {
    const expected = createHash('sha256').update('pepper\u0000b-value\u0000a-välue').digest('base64');
    const doc = source(
      one(
        { fingerprint: { fields: ['z', 'y'], method: 'SHA-256', salt: 'pepper' } },
        { y: 'b-value', z: 'a-välue' },
      ),
    );
    expect(doc['fingerprint']).toBe(expected);
  });

  it('fingerprint distinguishes Integer from Long and fails on missing fields', () => {
    const int = source(one({ fingerprint: { fields: ['n'] } }, { n: 5 }))['fingerprint'];
    const long = source(
      run([{ convert: { field: 'n', type: 'long' } }, { fingerprint: { fields: ['n'] } }], { n: 5 }),
    )['fingerprint'];
    expect(int).not.toBe(long);
    expect(failure(one({ fingerprint: { fields: ['a'] } }, {})).reason).toBe(
      'missing field [a] when calculating fingerprint',
    );
    expect(source(one({ fingerprint: { fields: ['a'], ignore_missing: true } }, {}))).toEqual({});
  });

  it('community_id reproduces the processor documentation vector', () => {
    const doc = source(
      one(
        { community_id: {} },
        {
          source: { ip: '123.124.125.126', port: 12345 },
          destination: { ip: '55.56.57.58', port: 80 },
          network: { transport: 'TCP' },
        },
      ),
    );
    expect((doc['network'] as Record<string, unknown>)['community_id']).toBe(
      '1:9qr9Z1LViXcNwtLVOHZ3CL8MlyM=',
    );
  });

  it('network_direction classifies with named ranges and CIDRs', () => {
    const dir = (s: string, d: string) =>
      (
        source(
          one(
            { network_direction: { internal_networks: ['private', '203.0.113.0/24'] } },
            { source: { ip: s }, destination: { ip: d } },
          ),
        )['network'] as Record<string, unknown>
      )['direction'];
    expect(dir('10.0.0.1', '192.168.1.1')).toBe('internal');
    expect(dir('10.0.0.1', '8.8.8.8')).toBe('outbound');
    expect(dir('8.8.8.8', '203.0.113.9')).toBe('inbound');
    expect(dir('8.8.8.8', '1.1.1.1')).toBe('external');
  });

  it('geoip answers from the bundled test table and leaves unknown addresses out', () => {
    const doc = source(one({ geoip: { field: 'ip' } }, { ip: '89.160.20.156' }));
    expect(doc['geoip']).toMatchObject({ country_iso_code: 'SE', city_name: 'Linköping' });
    expect(source(one({ geoip: { field: 'ip' } }, { ip: '8.8.8.8' }))).toEqual({ ip: '8.8.8.8' });
    expect(failure(one({ geoip: { field: 'ip' } }, { ip: 'nope' })).type).toBe('illegal_argument_exception');
  });

  it('uri_parts and registered_domain', () => {
    const url = source(
      one({ uri_parts: { field: 'u' } }, { u: 'https://a:b@x.example.com:8443/p/f.txt?q=1#h' }),
    )['url'];
    expect(url).toMatchObject({
      scheme: 'https',
      domain: 'x.example.com',
      port: 8443,
      path: '/p/f.txt',
      extension: 'txt',
      query: 'q=1',
      fragment: 'h',
      username: 'a',
      password: 'b',
    });
    const d = source(
      one({ registered_domain: { field: 'h', target_field: 'd' } }, { h: 'www.books.amazon.co.uk' }),
    )['d'];
    expect(d).toEqual({
      domain: 'www.books.amazon.co.uk',
      registered_domain: 'amazon.co.uk',
      top_level_domain: 'co.uk',
      subdomain: 'www.books',
    });
  });
});

describe('foreach / dot_expander', () => {
  it('foreach runs the inner processor per element via _ingest._value', () => {
    expect(
      source(
        one(
          { foreach: { field: 'l', processor: { uppercase: { field: '_ingest._value' } } } },
          { l: ['a', 'b'] },
        ),
      )['l'],
    ).toEqual(['A', 'B']);
    expect(
      source(
        one(
          {
            foreach: {
              field: 'm',
              processor: { set: { field: '_ingest._value', value: '{{_ingest._key}}' } },
            },
          },
          { m: { k: 1 } },
        ),
      )['m'],
    ).toEqual({ k: 'k' });
    expect(
      failure(
        one({ foreach: { field: 'l', processor: { uppercase: { field: '_ingest._value' } } } }, { l: 'x' }),
      ).reason,
    ).toMatch(/cannot be cast to a list or map/);
  });

  it('dot_expander expands literal dotted keys', () => {
    expect(source(one({ dot_expander: { field: 'a.b' } }, { 'a.b': 1 }))).toEqual({ a: { b: 1 } });
    expect(source(one({ dot_expander: { field: '*' } }, { 'x.y': 1, z: 2 }))).toEqual({ x: { y: 1 }, z: 2 });
  });
});

describe('more failure paths', () => {
  it('csv, uri_parts, registered_domain, network_direction, community_id, fail', () => {
    expect(failure(one({ csv: { field: 'm', target_fields: ['a'] } }, { m: '"open' })).reason).toMatch(
      /malformed CSV/,
    );
    expect(failure(one({ uri_parts: { field: 'u' } }, { u: 'not a uri' })).reason).toBe(
      'unable to parse URI [not a uri]',
    );
    expect(
      source(one({ registered_domain: { field: 'h', target_field: 'd' } }, { h: 'foo.bar.baz' })),
    ).toEqual({ h: 'foo.bar.baz' });
    expect(failure(one({ registered_domain: { field: 'h', ignore_missing: false } }, {})).reason).toBe(
      'field [h] not present as part of path [h]',
    );
    expect(
      failure(one({ network_direction: { internal_networks: ['private'], ignore_missing: false } }, {})).type,
    ).toBe('illegal_argument_exception');
    expect(source(one({ community_id: {} }, { source: { ip: '10.0.0.1' } }))).toEqual({
      source: { ip: '10.0.0.1' },
    });
    expect(failure(one({ community_id: { ignore_missing: false } }, {})).reason).toBe(
      'ip address cannot be null',
    );
    expect(failure(one({ fail: { message: 'bad {{{x}}}' } }, { x: 'thing' }))).toEqual({
      type: 'fail_processor_exception',
      reason: 'bad thing',
    });
  });
});
