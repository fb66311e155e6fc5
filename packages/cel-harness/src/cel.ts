import type * as CelJs from '@marcbachmann/cel-js' with { 'resolution-mode': 'import' };

/**
 * cel-js is an ES module; this workspace compiles to CommonJS. Node ≥ 20.19 loads ES modules through
 * `require` (require(esm)). Node's own loader is used — `process.getBuiltinModule` hands out the real
 * `module` built-in even under a test runner that replaces `require` with its own registry (which
 * cannot load ES modules) — so the CLI and the tests run the same code path.
 */
const { createRequire } = process.getBuiltinModule('node:module');
const celJs = createRequire(__filename)('@marcbachmann/cel-js') as typeof CelJs;

export const Environment = celJs.Environment;
export type Environment = CelJs.Environment;
