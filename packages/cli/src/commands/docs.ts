import type { Command } from '../command';

export const docs: Command = {
  name: 'docs',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic docs',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic docs: not implemented yet\n');
    return Promise.resolve(1);
  },
};
