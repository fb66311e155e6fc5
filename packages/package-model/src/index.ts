export { ECS_VERSION, ecsField, type EcsField } from './ecs';
export {
  PACKAGE_MODEL_ERRORS,
  PackageModelError,
  type PackageModelErrorCode,
  type PackageProblem,
} from './errors';
export { flattenFields, readFieldsFile, type FieldDefinition } from './fields';
export {
  getDataStream,
  loadPackage,
  readPackage,
  type DataStreamModel,
  type PackageModel,
  type PipelineFile,
  type ReadPackageResult,
} from './load';
export {
  dataStreamName,
  fleetPipelineName,
  indexTemplateName,
  transformDestinations,
  transformSourceStreams,
  type TransformDestination,
} from './names';
export {
  DEFAULT_FLEET_TRANSFORM_VERSION,
  fleetTransformId,
  fleetTransformVersion,
  indexPatternMatches,
  readTransforms,
  transformConfigSchema,
  transformIndexTemplateName,
  transformManifestSchema,
  transformReadName,
  transformSourceIndices,
  type TransformConfig,
  type TransformManifest,
  type TransformModel,
} from './transforms';
export {
  changelogSchema,
  dataStreamManifestSchema,
  fieldsFileSchema,
  packageManifestSchema,
  rawFieldSchema,
  type Changelog,
  type DataStreamManifest,
  type DataStreamStream,
  type PackageManifest,
  type PackageVar,
  type RawField,
} from './schemas';
export { fieldIndex, validateDocument, type DocumentProblem, type FieldIndex } from './validate-document';
export { parseJson, parseYaml, readStructured, type ReadResult } from './yaml';
