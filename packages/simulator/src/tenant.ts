import type { SimulatorOptions } from './options';
import type { Tenant } from './types';

/** Pure and deterministic: the same options (seed included) give the same tenant. */
export function createTenant(_options: SimulatorOptions): Tenant {
  return { events: [], users: [], invited: [], groups: {}, sharedFolders: [] };
}
