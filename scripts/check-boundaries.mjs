#!/usr/bin/env node
// Import boundaries between workspaces (contracts §1) and no cycles between them.
// Reads every workspace's src/ (tests may import the simulator anywhere, and their own workspace).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const allowed = {
  'package-model': [],
  ingest: ['package-model'],
  'package-tools': ['package-model', 'ingest'],
  simulator: [],
  'cel-harness': [],
  collector: ['package-model', 'ingest'],
  // The report reads the collector's state files with the collector's own schema (no copy) and the
  // package's field definitions (tests); it never runs the collector, the executor or the simulator.
  report: ['package-model', 'collector'],
  cli: ['package-model', 'ingest', 'package-tools', 'simulator', 'cel-harness', 'collector', 'report'],
};
const testExtra = ['simulator'];
// Per-workspace test extras: the report's tests load its data into the fake Elasticsearch (in ingest).
const testExtraFor = { report: ['ingest'] };

function files(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(files(path));
    else if (/\.(ts|mts|cts)$/.test(name)) out.push(path);
  }
  return out;
}

const importRe = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](@lastpass-elastic\/[a-z-]+)['"]/g;
const problems = [];
const graph = new Map();
for (const [ws, deps] of Object.entries(allowed)) {
  graph.set(ws, new Set());
  for (const [kind, dir] of [
    ['src', `packages/${ws}/src`],
    ['test', `packages/${ws}/test`],
  ]) {
    for (const file of files(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const target = m[1].split('/')[1];
        if (!(target in allowed)) {
          problems.push(`${file}: imports unknown workspace ${m[1]}`);
          continue;
        }
        if (target === ws) {
          problems.push(`${file}: imports its own workspace by package name; use a relative import`);
          continue;
        }
        const ok =
          deps.includes(target) ||
          (kind === 'test' && (testExtra.includes(target) || (testExtraFor[ws] ?? []).includes(target)));
        if (!ok)
          problems.push(
            `${file}: ${ws} may not import ${m[1]} (contracts §1 allows: ${deps.join(', ') || 'nothing'})`,
          );
        if (kind === 'src') graph.get(ws).add(target);
      }
    }
  }
  // Declared dependencies must match too, so `npm pack` / install order stays right.
  const manifest = JSON.parse(readFileSync(`packages/${ws}/package.json`, 'utf8'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (dep.startsWith('@lastpass-elastic/') && !deps.includes(dep.split('/')[1])) {
      problems.push(`packages/${ws}/package.json: depends on ${dep}, not allowed by contracts §1`);
    }
  }
}

// Cycle check over actual src imports (depth-first search).
const state = new Map();
function visit(node, stack) {
  state.set(node, 'open');
  for (const next of graph.get(node) ?? []) {
    if (state.get(next) === 'open') problems.push(`import cycle: ${[...stack, node, next].join(' -> ')}`);
    else if (!state.has(next)) visit(next, [...stack, node]);
  }
  state.set(node, 'done');
}
for (const node of graph.keys()) if (!state.has(node)) visit(node, []);

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`BOUNDARY ${p}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`boundaries: ${graph.size} workspaces, imports follow contracts §1, no cycles\n`);
}
