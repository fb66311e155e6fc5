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
export {
  DEFINITIONS_DIR,
  KibanaDefinitionError,
  readDefinitions,
  type DashboardDefinition,
  type KibanaDefinitions,
  type RuleDefinition,
} from './kibana/definitions';
export { FLEET_DATA_VIEWS, fieldScope, lookupField, type FieldScope } from './kibana/fields';
export { stableUuid } from './kibana/ids';
export { MITRE_TACTICS, MITRE_TECHNIQUES, ruleFields, ruleObjectId, SEVERITY_RISK } from './kibana/rules';
export {
  generateKibanaAssets,
  GENERATED_FOLDERS,
  kibanaAssetsDrift,
  VERSIONS_LOCK,
  writeKibanaAssets,
  type KibanaDrift,
} from './kibana/generate';
