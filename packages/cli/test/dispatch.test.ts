import { main, memoryIo } from '../src';

const io = () => memoryIo({ cwd: process.cwd() });

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
