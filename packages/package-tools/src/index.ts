export const workspace = 'package-tools';
export * from './setup';
export {
  checkPackage,
  CHECK_RULES,
  formatFinding,
  type CheckCode,
  type CheckMode,
  type CheckOptions,
  type CheckResult,
  type Finding,
} from './check';
export { docsAreCurrent, DocsError, renderDocs, writeDocs, fieldsTable, sampleEvent } from './docs';
export {
  defaultTemplateVars,
  fakeSecretRef,
  fleetHandlebars,
  renderAgentTemplate,
  type TemplateVars,
} from './fleet-template';
export {
  BUILD_ALLOWLIST,
  BuildError,
  buildPackage,
  checkArchive,
  encodeSavedObject,
  MAX_ARCHIVE_BYTES,
  type BuildOptions,
  type BuildResult,
} from './build';
export {
  fieldValues,
  KqlSyntaxError,
  kqlMatches,
  kqlQueryFields,
  kqlValuesOf,
  parseKql,
  type FieldTypeOf,
  type KqlNode,
  type ValueNode,
} from './rules/kql';
export {
  durationMs,
  ruleSpecSchema,
  runRule,
  type IndexedDocument,
  type RuleAlert,
  type RuleSpec,
} from './rules/engine';
