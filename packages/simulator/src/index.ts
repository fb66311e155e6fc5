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
export { startSimulator, type RunningSimulator, type StartOptions } from './server';
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
