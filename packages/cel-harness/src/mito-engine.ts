import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CelEngine, EvaluationOutcome } from './engine';
import { CelHarnessError } from './errors';
import type { AgentHttpProxy } from './proxy';

/**
 * Elastic's real CEL engine: the `mito` command (elastic/mito), one process per evaluation.
 *
 * The command evaluates the program with `-data` as `state`, prints the result, and evaluates again by
 * itself while the result has `want_more: true`, feeding back the whole result (events included).
 * The Agent does not: it publishes the events, drops them from the state, keeps the cursor only with
 * published events (agent.ts). So the engine takes the first result only, exactly: mito's standard
 * output goes to a file, and the proxy in front of the API (`AgentHttpProxy` with this engine's
 * `gate`) holds every request that arrives once that file is not empty — such a request belongs to
 * the next evaluation, because mito writes a result before it evaluates again. The held request
 * makes the engine kill the process; it never reaches the API. Nothing here depends on timing.
 *
 * mito reads the real clock for `now` (a virtual clock cannot be injected), and `-data` is JSON, so
 * every number of the first state is a double (the Agent passes YAML integers as ints; the programs
 * convert with int() either way).
 */
export interface MitoLocation {
  path: string;
  /** Where it came from: `MITO_BIN`, the shared test tools, or an explicit path. */
  source: string;
}

/** `MITO_BIN`, else `<root>/../shared/mito/mito` (the team's shared tools beside the repository). */
export function locateMito(root: string, env: NodeJS.ProcessEnv = process.env): MitoLocation | undefined {
  const fromEnv = env.MITO_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    const path = resolve(fromEnv);
    return existsSync(path) ? { path, source: 'MITO_BIN' } : undefined;
  }
  const shared = resolve(root, '..', 'shared', 'mito', 'mito');
  return existsSync(shared) ? { path: shared, source: '../shared/mito/mito' } : undefined;
}

/** The end of the first JSON value in `text` (mito prints one value after another), or undefined. */
export function firstJsonValue(text: string): unknown {
  let i = 0;
  while (i < text.length && /\s/.test(text.charAt(i))) i++;
  const start = i;
  const open = text.charAt(i);
  if (open !== '{' && open !== '[') {
    const line = text.slice(start).split('\n')[0] ?? '';
    return line.trim() === '' ? undefined : (JSON.parse(line) as unknown);
  }
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return JSON.parse(text.slice(start, i + 1)) as unknown;
    }
  }
  return undefined;
}

export interface MitoEngineOptions {
  bin: string;
  program: string;
  /** The proxy the program's requests go through; the engine installs its gate on it. */
  proxy: AgentHttpProxy;
  /** Values never to show in error texts (the redacted state values). */
  secrets?: readonly string[];
  /** A safety net, not a timing assumption: a process still running after this long is killed (default 300 s). */
  timeoutMs?: number;
  /**
   * Kill mito as soon as its first result is complete (default true): saves compiling the program a
   * second time. Exactness never depends on it (the gate holds the next evaluation's requests anyway);
   * tests turn it off to see the gate alone at work.
   */
  stopAtFirstResult?: boolean;
}

export class MitoEngine implements CelEngine {
  readonly name = 'mito' as const;
  private readonly dir: string;
  private readonly programFile: string;
  private readonly options: MitoEngineOptions;
  /** The output file of the evaluation in progress (the gate looks at its size). */
  private outputFd: number | undefined;
  private onHold: (() => void) | undefined;
  /** Evaluations run, and how many had to be stopped before a second evaluation could start. */
  readonly counters = { evaluations: 0, stopped: 0 };

  constructor(options: MitoEngineOptions) {
    if (!existsSync(options.bin))
      throw new CelHarnessError('CEL_INVALID_OPTION', `mito: no binary at ${options.bin}`);
    this.options = options;
    this.dir = mkdtempSync(join(tmpdir(), 'lpe-mito-'));
    this.programFile = join(this.dir, 'program.cel');
    writeFileSync(this.programFile, options.program, { mode: 0o600 });
    options.proxy.options.gate = () => this.outputFd !== undefined && fstatSync(this.outputFd).size > 0;
    options.proxy.options.onHold = () => this.onHold?.();
  }

  async evaluate(state: Record<string, unknown>): Promise<EvaluationOutcome> {
    this.counters.evaluations += 1;
    const stateFile = join(this.dir, 'state.json');
    const outputFile = join(this.dir, 'out.json');
    writeFileSync(
      stateFile,
      JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
      { mode: 0o600 },
    );
    const fd = openSync(outputFile, 'w', 0o600);
    this.outputFd = fd;
    let stderr = '';
    let exitCode: number | null;
    try {
      exitCode = await new Promise<number | null>((resolvePromise, reject) => {
        const child = spawn(this.options.bin, ['-data', stateFile, this.programFile], {
          stdio: ['ignore', fd, 'pipe'],
        });
        child.stderr?.setEncoding('utf8');
        child.stderr?.on('data', (c: string) => {
          if (stderr.length < 64_000) stderr += c;
        });
        this.onHold = () => {
          this.counters.stopped += 1;
          child.kill('SIGKILL');
        };
        const safety = setTimeout(() => {
          stderr += `\nmito was still running after ${String(this.options.timeoutMs ?? 300_000)} ms and was stopped`;
          child.kill('SIGKILL');
        }, this.options.timeoutMs ?? 300_000);
        // Not needed for exactness (the gate is), only for speed: stop mito as soon as its first
        // result is complete, before it compiles the program again for a second evaluation.
        const watcher = watch(outputFile, () => {
          if (this.options.stopAtFirstResult === false) return;
          try {
            if (firstJsonValue(readFileSync(outputFile, 'utf8')) !== undefined) child.kill('SIGKILL');
          } catch {
            // a partly written result: wait for the rest
          }
        });
        const done = (): void => {
          clearTimeout(safety);
          watcher.close();
        };
        child.on('error', (e) => {
          done();
          reject(e);
        });
        child.on('close', (code) => {
          done();
          resolvePromise(code);
        });
      });
    } finally {
      this.onHold = undefined;
      this.outputFd = undefined;
      closeSync(fd);
      this.options.proxy.releaseHeld();
    }
    const text = readFileSync(outputFile, 'utf8');
    rmSync(stateFile, { force: true });
    rmSync(outputFile, { force: true });
    let value: unknown;
    try {
      value = firstJsonValue(text);
    } catch (e) {
      return { ok: false, error: this.scrub(`mito printed no JSON result: ${(e as Error).message}`) };
    }
    if (value === undefined) {
      const reason = stderr.trim() === '' ? `mito exited with code ${String(exitCode)}` : stderr.trim();
      return { ok: false, error: this.scrub(reason) };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new CelHarnessError('CEL_RESULT_INVALID', 'the program must evaluate to a map');
    return { ok: true, result: value as Record<string, unknown> };
  }

  close(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    return Promise.resolve();
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.options.secrets ?? []) if (s !== '') out = out.split(s).join('*');
    return out;
  }
}
