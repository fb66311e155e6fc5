export { InMemoryCluster, EMULATED_ES_VERSION, type ApiResponse } from './cluster';
export {
  runConformance,
  runConformanceFile,
  parseTestFile,
  type ConformanceReport,
  type ConformanceTestResult,
  type TestStatus,
} from './runner';

/** Passes the conformance run must not drop below (`--enforce-floor`); only ever raised. */
export const CONFORMANCE_FLOOR = 96;
