import { commands } from './commands';
import { UsageError, usageOf, type CommandIo } from './command';

export { UsageError, parseFlags, usageOf, type Command, type CommandIo } from './command';
export { commands } from './commands';
export { memoryIo, type MemoryIo } from './memory-io';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: lastpass-elastic <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `lastpass-elastic <command> --help` for the flags of one command.',
    'Exit codes: 0 success, 1 the work failed, 2 bad usage or configuration; collect: 3 LastPass refused the credentials, 75 another collector holds the state directory.',
    '',
  ].join('\n');
}

/** The dispatcher: finds the subcommand and maps errors to exit codes (contracts §2). */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(
      `lastpass-elastic: unknown command "${name}"; expected one of ${commands.map((c) => c.name).join(', ')}\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${await usageOf(command)}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`lastpass-elastic ${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`lastpass-elastic ${name}: ${message}\n`);
    return 1;
  }
}
