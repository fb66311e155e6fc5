import type { Command } from '../command';

export const pipeline: Command = {
  name: 'pipeline',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic pipeline',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic pipeline: not implemented yet\n');
    return Promise.resolve(1);
  },
};
