import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(__dirname, '..', '..');
export const SCRIPT = join(ROOT, 'scripts', 'pack-cli.mjs');

/** The packing works on compiled workspaces; `npm test` builds them first. Null when they are all there. */
export function missingDist(): string | null {
  const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  const missing = workspaces.filter((dir) => !existsSync(join(ROOT, dir, 'dist', 'index.js')));
  return missing.length === 0 ? null : `${missing.join(', ')} not built (run npm run build:ts)`;
}

export type ScriptResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Calls an export of scripts/pack-cli.mjs (an ES module, which jest's CommonJS transform cannot load)
 * in a node child: `fn(...args)`, JSON in and out.
 */
export function callScript(fn: string, ...args: unknown[]): ScriptResult {
  const code = `
    import * as m from ${JSON.stringify(pathToFileURL(SCRIPT).href)};
    const args = JSON.parse(process.argv[1]);
    try { process.stdout.write(JSON.stringify({ ok: true, value: m[${JSON.stringify(fn)}](...args) })); }
    catch (error) { process.stdout.write(JSON.stringify({ ok: false, error: error.message })); }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code, JSON.stringify(args)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`node exited ${String(child.status)}: ${child.stderr}`);
  return JSON.parse(child.stdout) as ScriptResult;
}
