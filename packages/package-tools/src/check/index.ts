import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readPackage, type PackageProblem } from '@lastpass-elastic/package-model';
import { docsAreCurrent, DocsError, DOCS_TEMPLATE } from '../docs';
import type { RuleContext } from './context';
import { collector, type CheckCode, type Finding, type Report } from './findings';
import { checkEcsPin, checkSampleEvents } from './rules/documents';
import { checkFields } from './rules/fields';
import { checkKibana } from './rules/kibana';
import { checkPipelines } from './rules/pipelines';
import { checkTemplates } from './rules/templates';
import { checkTransforms } from './rules/transforms';
import { checkVersions } from './rules/versions';
import { defaultSpecDir, loadSpec, specVersions } from './spec-loader';
import { walkStructure, type CheckMode } from './structure';

export interface CheckOptions {
  mode?: CheckMode;
  /** package-spec checkout (default `<root>/../shared/package-spec`); null skips the schema part. */
  specDir?: string | null;
  /** Compare docs/README.md with its rendering (source mode only; default true). */
  docs?: boolean;
}

export interface CheckResult {
  root: string;
  mode: CheckMode;
  findings: Finding[];
  /** Notices (not failures): skipped parts and why. */
  notices: string[];
  /** Which parts ran. */
  ran: { schema: boolean; docs: boolean };
  formatVersion: string | undefined;
}

function modelProblem(p: PackageProblem, report: Report): void {
  const code: CheckCode =
    p.code === 'PACKAGE_MODEL_UNKNOWN_ECS_FIELD'
      ? 'FIELDS_EXTERNAL_UNKNOWN'
      : p.code === 'PACKAGE_MODEL_PARSE_FAILED'
        ? 'SPEC_FILE'
        : 'MODEL_INVALID';
  report(code, p.file, p.path, p.message);
}

/** Offline validation of a package tree: package-spec schemas + structure, then the semantic rules. */
export function checkPackage(rootArg: string, options: CheckOptions = {}): CheckResult {
  const root = resolve(rootArg);
  const mode = options.mode ?? 'source';
  const { findings, report } = collector(root);
  const notices: string[] = [];
  const { model, problems } = readPackage(root);
  for (const p of problems) modelProblem(p, report);
  if (!model && problems.length === 0)
    report('MODEL_INVALID', join(root, 'manifest.yml'), '', 'cannot read the package manifest');
  const formatVersion = model?.manifest.format_version;

  let schema = false;
  const specDir = options.specDir === undefined ? defaultSpecDir(root) : options.specDir;
  if (specDir === null || !existsSync(join(specDir, 'spec', 'integration', 'spec.yml'))) {
    notices.push(
      `package-spec not found${specDir ? ` at ${specDir}` : ''}: schema and structure checks skipped; semantic rules still run`,
    );
  } else if (model && formatVersion) {
    if (!specVersions(specDir).includes(formatVersion.replace(/-.*$/, ''))) {
      report(
        'SPEC_VERSION_UNKNOWN',
        join(root, 'manifest.yml'),
        'format_version',
        `format_version ${formatVersion} is not a package-spec version`,
      );
    } else {
      walkStructure({
        root,
        mode,
        packageName: model.manifest.name,
        spec: loadSpec(specDir, formatVersion),
        report,
      });
      schema = true;
    }
  }

  const ctx: RuleContext = { root, mode, model, report };
  checkVersions(ctx);
  checkFields(ctx);
  checkEcsPin(ctx);
  checkTemplates(ctx);
  checkPipelines(ctx);
  checkSampleEvents(ctx);
  checkKibana(ctx);
  checkTransforms(ctx);

  let docs = false;
  const docsRule = mode === 'source' && options.docs !== false && model !== undefined;
  if (docsRule && !existsSync(join(root, DOCS_TEMPLATE))) {
    notices.push(`docs drift skipped: no ${DOCS_TEMPLATE}`);
  } else if (docsRule) {
    try {
      if (!docsAreCurrent(root, model))
        report(
          'DOCS_STALE',
          join(root, 'docs', 'README.md'),
          '',
          'docs/README.md is stale: run `lastpass-elastic docs`',
        );
      docs = true;
    } catch (error) {
      report(
        'DOCS_TEMPLATE',
        join(root, DOCS_TEMPLATE),
        '',
        error instanceof DocsError ? error.message : String(error),
      );
    }
  }
  findings.sort(
    (a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path) || a.code.localeCompare(b.code),
  );
  return { root, mode, findings, notices, ran: { schema, docs }, formatVersion };
}

export { CHECK_RULES, formatFinding, type CheckCode, type Finding } from './findings';
export type { CheckMode } from './structure';
