import type { Command } from '../command';

export const simulator: Command = {
  name: 'simulator',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic simulator',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic simulator: not implemented yet\n');
    return Promise.resolve(1);
  },
};
