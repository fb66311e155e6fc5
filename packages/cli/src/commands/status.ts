import type { Command } from '../command';

export const status: Command = {
  name: 'status',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic status',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic status: not implemented yet\n');
    return Promise.resolve(1);
  },
};
