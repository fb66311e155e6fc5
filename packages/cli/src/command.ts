import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What every subcommand module exports. `run` returns the process exit code (contracts §2). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /**
   * The `<command> --help` text; a function when the text comes from the workspace the command runs, which is
   * loaded only when the command (or its help) is used.
   */
  readonly usage: string | (() => Promise<string>);
  /** Loads the command's workspaces (dynamic `import()`) only when it runs. */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** The `--help` text of a command. */
export async function usageOf(command: Command): Promise<string> {
  return typeof command.usage === 'string' ? command.usage : command.usage();
}

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Bad usage or configuration: printed as one line, exit code 2, nothing written. */
export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** node:util parseArgs with strict flags; unknown flags become a UsageError naming the flag. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends FlagOptions>(
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>> {
  try {
    const config = {
      args: [...argv],
      options,
      strict: true as const,
      allowPositionals,
    } satisfies ParseArgsConfig;
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A `--<flag>` value that must be a positive integer (undefined when the flag is absent). */
export function positiveIntFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--${flag}: expected a positive integer, got "${text}"`);
  return Number(text);
}
