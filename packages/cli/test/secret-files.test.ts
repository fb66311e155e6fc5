// A *_FILE secret setting whose value is the secret itself (a common mistake): no command echoes the value;
// each says "the file named by <setting>", exits 2, one line (issue #15 item 4). collect's variables and YAML
// keys are in config-errors.test.ts; here are the other commands' variables and flags.
import { main, memoryIo } from '../src';

const SECRET = 'c0ffee00deadbeef1234567890abcdef0123456789abcdef0fedcba987654321';

describe('secret-file settings never echo their value', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    [
      'setup: ELASTICSEARCH_API_KEY_FILE',
      ['setup', '--elasticsearch', 'http://127.0.0.1:9'],
      { ELASTICSEARCH_API_KEY_FILE: SECRET },
      'ELASTICSEARCH_API_KEY_FILE',
    ],
    [
      'setup: ELASTICSEARCH_PASSWORD_FILE',
      ['setup', '--kibana', 'http://127.0.0.1:9'],
      { ELASTICSEARCH_USERNAME: 'u', ELASTICSEARCH_PASSWORD_FILE: SECRET },
      'ELASTICSEARCH_PASSWORD_FILE',
    ],
    [
      'simulator: --provisioning-hash-file',
      ['simulator', '--port', '0', '--provisioning-hash-file', SECRET],
      {},
      '--provisioning-hash-file',
    ],
    [
      'simulator: LASTPASS_PROVISIONING_HASH_FILE',
      ['simulator', '--port', '0'],
      { LASTPASS_PROVISIONING_HASH_FILE: SECRET },
      'LASTPASS_PROVISIONING_HASH_FILE',
    ],
    [
      'cel: --provisioning-hash-file',
      [
        'cel',
        '--data-stream',
        'event_report',
        '--url',
        'http://127.0.0.1:9/enterpriseapi.php',
        '--account-number',
        '1',
        '--provisioning-hash-file',
        SECRET,
      ],
      {},
      '--provisioning-hash-file',
    ],
    [
      'report: ELASTICSEARCH_API_KEY_FILE',
      ['report', 'posture', '--source', 'elasticsearch', '--elasticsearch-url', 'http://127.0.0.1:9'],
      { ELASTICSEARCH_API_KEY_FILE: SECRET },
      'ELASTICSEARCH_API_KEY_FILE',
    ],
    [
      'report: ELASTICSEARCH_PASSWORD_FILE',
      ['report', 'posture', '--source', 'elasticsearch', '--elasticsearch-url', 'http://127.0.0.1:9'],
      { ELASTICSEARCH_USERNAME: 'u', ELASTICSEARCH_PASSWORD_FILE: SECRET },
      'ELASTICSEARCH_PASSWORD_FILE',
    ],
    [
      'collect: LASTPASS_PROVISIONING_HASH_FILE',
      ['collect', '--once'],
      { LASTPASS_ACCOUNT_NUMBER: '1', LASTPASS_PROVISIONING_HASH_FILE: SECRET },
      'LASTPASS_PROVISIONING_HASH_FILE',
    ],
  ])('%s', async (_name, argv, env, setting) => {
    const t = memoryIo({ cwd: process.cwd(), env });
    expect(await main(argv, t)).toBe(2);
    const err = t.err();
    expect(err).not.toContain(SECRET);
    expect(err).not.toContain(SECRET.slice(0, 8));
    expect(t.out()).not.toContain(SECRET);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toContain(`${setting}: cannot read the file named by ${setting}`);
  });
});
