export * from './fake-elasticsearch';
export { createExecutor, PipelineStore, zonedDateTimeText } from './executor';
export type {
  Executor,
  ExecutorOptions,
  IngestDocumentInput,
  ProcessResult,
  SimulateOptions,
} from './executor';
export { IngestError, ProcessingError, type IngestErrorCode } from './errors';
export type { GeoIpOptions, GeoIpEntry } from './geoip';
export { parseJson } from './json';
export { toJsonText, toPlain } from './values';
export { parseCondition, compileCondition } from './condition';
export { processorRegistry } from './processors';
export { applyFleetFinalPipeline, loadDataStreamPipelines, loadPackagePipelines } from './package-pipelines';
export { lintPipeline, ES_8_16_PROCESSOR_OPTIONS, type LintProblem } from './lint';
export {
  runPipelineTests,
  PIPELINE_TEST_CLOCK,
  compareWithCluster,
  type ClusterComparison,
  readCaseEvents,
  runCaseEvents,
  semanticEqual,
  describeDifferences,
  stableJson,
  type PipelineTestCaseResult,
  type PipelineTestReport,
  type PipelineTestOptions,
  type PipelineTestConfig,
} from './pipeline-tests';
export * from './conformance';
export { isJavaRegionId } from './intl-zone-rules';
