/** The LastPass Enterprise API simulator: a seeded tenant served on 127.0.0.1 (see README.md). */
export { createVirtualClock, type VirtualClock } from './clock';
export {
  faultSchema,
  resolveOptions,
  simulatorOptionsSchema,
  SimulatorOptionsError,
  type Fault,
  type FaultSpec,
  type SimulatorOptions,
  type SimulatorOptionsInput,
} from './options';
export {
  ENDPOINT_PATH,
  startSimulator,
  type RecordedRequest,
  type RunningSimulator,
  type StartOptions,
} from './server';
export { AUTH_ERROR_XML, CONTENT_TYPE } from './api';
export { AccountZone } from './zone';
export { createTenant } from './tenant';
export type {
  EventRecord,
  FolderMember,
  GroundTruthEvent,
  SimSharedFolder,
  SimUser,
  Tenant,
  UserRecord,
} from './types';
export {
  parseFaultFlag,
  parseSimulatorArgs,
  runSimulatorCli,
  SIMULATOR_USAGE,
  SimulatorUsageError,
  type SimulatorCliIo,
} from './cli';
