import type { Command } from '../command';

export const conformance: Command = {
  name: 'conformance',
  summary: 'not implemented yet',
  usage: 'lastpass-elastic conformance',
  run(_argv, io) {
    io.stderr.write('lastpass-elastic conformance: not implemented yet\n');
    return Promise.resolve(1);
  },
};
