import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readStructured, type PackageModel } from '@lastpass-elastic/package-model';
import { isRecord } from '../json';
import type { Report } from './findings';
import type { CheckMode } from './structure';

/** What every semantic rule receives. */
export interface RuleContext {
  root: string;
  mode: CheckMode;
  /** Undefined when the package manifest cannot be read (rules that need it then do nothing). */
  model: PackageModel | undefined;
  report: Report;
}

/** Sorted file names of a directory (empty when it does not exist). */
export function filesIn(dir: string, filter: (name: string) => boolean = () => true): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .sort()
    .filter((f) => statSync(join(dir, f)).isFile() && filter(f));
}

/** `_dev/build/build.yml` and its `dependencies.ecs.reference`; undefined when the file cannot be read or parsed. */
export function ecsReference(root: string): { file: string; reference: unknown } | undefined {
  const file = join(root, '_dev', 'build', 'build.yml');
  const read = readStructured(file);
  if (!read.ok) return undefined;
  const deps = isRecord(read.value) ? read.value['dependencies'] : undefined;
  const ecs = isRecord(deps) ? deps['ecs'] : undefined;
  return { file, reference: isRecord(ecs) ? ecs['reference'] : undefined };
}
