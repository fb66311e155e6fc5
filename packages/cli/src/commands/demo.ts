import type { Command } from '../command';

export const demo: Command = {
  name: 'demo',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic demo',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic demo: not implemented yet\n');
    return Promise.resolve(1);
  },
};
