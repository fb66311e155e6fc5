import type { Command } from '../command';

export const collect: Command = {
  name: 'collect',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic collect',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic collect: not implemented yet\n');
    return Promise.resolve(1);
  },
};
