import { CONFORMANCE_FLOOR } from '@lastpass-elastic/ingest';
import { SIMULATOR_USAGE } from '@lastpass-elastic/simulator';
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

  it('prints a usage that comes from a lazily loaded workspace for <command> --help', async () => {
    const sim = io();
    expect(await main(['simulator', '--help'], sim)).toBe(0);
    expect(sim.out()).toBe(`${SIMULATOR_USAGE}\n`);
    const conformance = io();
    expect(await main(['conformance', '-h'], conformance)).toBe(0);
    expect(conformance.out()).toContain(`the pinned floor (${CONFORMANCE_FLOOR}) tests pass\n`);
  });

  it.each([
    [['demo', '--events', '0'], '--events: expected a positive integer, got "0"'],
    [['demo', '--seed', 'x'], '--seed: expected a positive integer, got "x"'],
    [['demo', '--events', '1.5'], '--events: expected a positive integer, got "1.5"'],
  ])('%j: a positive-integer flag refuses other values in one line, exit 2', async (argv, message) => {
    const t = io();
    expect(await main(argv, t)).toBe(2);
    expect(t.err()).toContain(message);
    expect(t.err().trim().split('\n')).toHaveLength(1);
  });
});
