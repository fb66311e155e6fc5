export {
  planAssets,
  MANAGED_BY,
  TRANSFORM_TEMPLATE_PRIORITY,
  type NamedAsset,
  type SetupPlan,
  type StreamAssets,
  type TransformAssets,
} from './assets';
export { TRANSFORM_FEATURES, unmetTransformFeatures } from './transforms';
export {
  setupElasticsearch,
  sameAsset,
  MIN_ELASTICSEARCH,
  type Change,
  type ChangeAction,
  type AssetKind,
  type ElasticsearchSetupResult,
  type SetupOptions,
} from './elasticsearch';
export { SetupError, SETUP_ERRORS, type SetupErrorCode } from './errors';
export { call, endpointFromEnv, errorText, type Endpoint, type Reply } from './http';
export {
  explainKibanaError,
  FLEET_API_VERSION,
  installedVersion,
  readArchive,
  setupKibana,
  type KibanaSetupResult,
  type PackageArchive,
} from './kibana';
export {
  DETECTION_API_VERSION,
  importRules,
  multipartNdjson,
  RULES_FILE_NAME,
  rulesFromArchive,
  type RulesImportResult,
} from './rules-import';
export { DEFAULT_IGNORE_ABOVE, fieldMapping, generateMappings, type GeneratedMappings } from './mappings';
export { compareVersions } from '../semver';
