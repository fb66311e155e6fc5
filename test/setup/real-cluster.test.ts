import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { main, type CommandIo } from '@lastpass-elastic/cli';

// Opt-in: runs the same commands against a real cluster. Auth comes from the usual
// ELASTICSEARCH_API_KEY / ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD / ELASTICSEARCH_CA_FILE.
const ES = process.env['TEST_ELASTICSEARCH_URL'];
const KIBANA = process.env['TEST_KIBANA_URL'];

function io(): CommandIo & { out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  return {
    stdout,
    stderr: process.stderr,
    stdin: new PassThrough(),
    env: process.env,
    cwd: resolve(__dirname, '../..'),
    out: () => out,
  };
}

if (ES === undefined)
  console.log('skipping real-cluster setup --elasticsearch test: TEST_ELASTICSEARCH_URL is not set');
if (KIBANA === undefined)
  console.log('skipping real-cluster setup --kibana test: TEST_KIBANA_URL is not set');

describe('setup against a real cluster (opt-in)', () => {
  (ES === undefined ? it.skip : it)(
    'setup --elasticsearch installs, then a second run changes nothing',
    async () => {
      expect(await main(['setup', '--elasticsearch', ES ?? ''], io())).toBe(0);
      const second = io();
      expect(await main(['setup', '--elasticsearch', ES ?? ''], second)).toBe(0);
      expect(second.out()).toContain('Nothing changed.');
    },
    120_000,
  );

  (KIBANA === undefined ? it.skip : it)(
    'setup --kibana uploads the package, then reports it unchanged',
    async () => {
      expect(await main(['setup', '--kibana', KIBANA ?? '', '--force'], io())).toBe(0);
      const second = io();
      expect(await main(['setup', '--kibana', KIBANA ?? ''], second)).toBe(0);
      expect(second.out()).toContain('unchanged');
    },
    300_000,
  );
});
