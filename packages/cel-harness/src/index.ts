export { CelHarnessError, CEL_HARNESS_ERRORS, type CelHarnessErrorCode } from './errors';
export { formatGoTime, parseGoTime } from './golayout';
export {
  checkAgentFunctions,
  checkMitoV110Receivers,
  createMitoEnvironment,
  DYN_RECEIVER_UNRESOLVED,
  type MitoOptions,
  type HttpExchange,
} from './mito';
export { parseStreamConfig, renderStreamTemplate, type StreamConfig, type TemplateVars } from './render';
export { AgentInput, retrySettingsOf, type AgentInputOptions } from './agent';
export { CelInput, type CelInputOptions, type HarnessLogEntry, type PeriodicRunResult } from './runner';
export { EmulationEngine, type CelEngine, type EvaluationOutcome } from './engine';
export { firstJsonValue, locateMito, MitoEngine, type MitoLocation } from './mito-engine';
export {
  AGENT_RETRY_DEFAULTS,
  AgentHttpProxy,
  agentAttempts,
  agentBackoffMs,
  type ProxiedAnswer,
  type ProxyStats,
  type RetrySettings,
} from './proxy';
export { loadStream, type LoadedStream } from './stream';
export { decodeJson, encodeJson, fromJsonValue, toJsonValue } from './values';
export { toCelRealm } from './realm';
