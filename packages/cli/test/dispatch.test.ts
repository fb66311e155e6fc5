import { PassThrough } from 'node:stream';
import { main, type CommandIo } from '../src';

function io(): CommandIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

describe('lastpass-elastic dispatcher', () => {
  it('lists every contracts §2 subcommand in --help', async () => {
    const t = io();
    expect(await main(['--help'], t)).toBe(0);
    for (const name of [
      'check',
      'build',
      'docs',
      'setup',
      'pipeline',
      'simulator',
      'collect',
      'demo',
      'status',
    ]) {
      expect(t.out()).toContain(`  ${name}`);
    }
  });

  it('rejects an unknown command with exit 2 and one line', async () => {
    const t = io();
    expect(await main(['nope'], t)).toBe(2);
    expect(t.err().trim().split('\n')).toHaveLength(1);
    expect(t.err()).toContain('unknown command "nope"');
  });
});
