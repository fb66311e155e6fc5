import type { Command } from '../command';

export const build: Command = {
  name: 'build',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic build',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic build: not implemented yet\n');
    return Promise.resolve(1);
  },
};
