import type { Command } from '../command';

export const check: Command = {
  name: 'check',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic check',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic check: not implemented yet\n');
    return Promise.resolve(1);
  },
};
