import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageModel } from '@lastpass-elastic/package-model';
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
