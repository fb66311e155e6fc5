import { runSimulatorCli, SIMULATOR_USAGE } from '@lastpass-elastic/simulator';
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
  usage: SIMULATOR_USAGE,
  run(argv, io) {
    return runSimulatorCli(argv, io, untilSignal);
  },
};
