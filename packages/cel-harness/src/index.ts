export { CelHarnessError, CEL_HARNESS_ERRORS, type CelHarnessErrorCode } from './errors';
export { formatGoTime, parseGoTime } from './golayout';
export { checkAgentFunctions, createMitoEnvironment, type MitoOptions, type HttpExchange } from './mito';
export { parseStreamConfig, renderStreamTemplate, type StreamConfig, type TemplateVars } from './render';
export { CelInput, type CelInputOptions, type HarnessLogEntry, type PeriodicRunResult } from './runner';
export { loadStream, type LoadedStream } from './stream';
export { decodeJson, encodeJson, fromJsonValue, toJsonValue } from './values';
export { toCelRealm } from './realm';
