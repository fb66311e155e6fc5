import type { Command } from '../command';

export const setup: Command = {
  name: 'setup',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic setup',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic setup: not implemented yet\n');
    return Promise.resolve(1);
  },
};
