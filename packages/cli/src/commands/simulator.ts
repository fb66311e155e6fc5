import type { Command } from '../command';

/** Waits for SIGINT or SIGTERM. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

export const simulator: Command = {
  name: 'simulator',
  summary: 'serve a simulated LastPass Enterprise API on 127.0.0.1 (seeded tenant, faults, virtual clock)',
  async usage() {
    return (await import('@lastpass-elastic/simulator')).SIMULATOR_USAGE;
  },
  async run(argv, io) {
    const { runSimulatorCli } = await import('@lastpass-elastic/simulator');
    return runSimulatorCli(argv, io, untilSignal);
  },
};
