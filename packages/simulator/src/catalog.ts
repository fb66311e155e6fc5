/**
 * The event-action catalog of lastpass-api.md §11 with `Data` generators in the documented formats.
 * Every action here appears at least once in a history of ≥ CATALOG.length events.
 */
import type { Rng } from './random';

export interface DataContext {
  rng: Rng;
  actor: string;
  /** Another user's email (a target). */
  target: () => string;
  folder: () => string;
  group: () => string;
  site: () => string;
  vid: () => string;
  apiUser: string;
}

/** Who performs the action: any active user, an admin, or the API (`""`, `API`, `API: <label>`). */
export type Actor = 'user' | 'admin' | 'api' | 'system';

export interface CatalogEntry {
  action: string;
  /** Sentence-case spelling used from late 2022 on (the one documented drift). */
  modern?: string;
  weight: number;
  actor: Actor;
  data: (c: DataContext) => string;
  /** Identical repeats in the same second happen for this action (bursts). */
  bursty?: boolean;
  /** Several records with different Data in the same second (bulk operations). */
  bulk?: boolean;
}

const CLIENTS = [
  'LastPass via Chrome v4.134.0',
  'LastPass via Website',
  'LastPass via Firefox v4.120.0',
  'LastPass via Edge v4.131.0',
  'LastPass via Safari v4.128.0',
];
const POLICIES = [
  'Require passwordless verification via LastPass Authenticator',
  'Length of master password',
  'Prohibit exporting of sites',
  'Restrict Enterprise API to event reporting',
  'Allow sharing only within company',
];
const NOTE_TYPES = ['Generic', 'Server', 'Credit Card', 'Bank Account', 'SSH Key'];

const empty = (): string => '';
const shortName = (email: string): string => email.split('@')[0] ?? email;
const emails = (c: DataContext, max: number): string =>
  Array.from({ length: c.rng.int(1, max) }, () => c.target()).join(',');
const initiated = (c: DataContext): string =>
  c.apiUser === '' ? 'Initiated by API' : `Initiated by API: ${c.apiUser}`;

function e(
  action: string,
  weight: number,
  actor: Actor,
  data: CatalogEntry['data'],
  extra: Partial<CatalogEntry> = {},
): CatalogEntry {
  return { action, weight, actor, data, ...extra };
}

export const CATALOG: readonly CatalogEntry[] = [
  // Authentication and sessions
  e(
    'Log in',
    30,
    'user',
    (c) =>
      c.rng.pick([
        () => 'lastpass.com',
        () => c.rng.pick(CLIENTS),
        () => c.rng.pick(CLIENTS),
        () =>
          `${c.rng.int(1, 223)}.${c.rng.int(0, 255)}.${c.rng.int(0, 255)}.${c.rng.int(1, 254)}:${c.rng.int(1024, 65535)}/example`,
        () => `VID: ${c.vid()}`,
      ])(),
    { bursty: true },
  ),
  e(
    'Failed Login Attempt',
    8,
    'user',
    (c) => c.rng.pick(['', 'lastpass.com', 'LastPass via Chrome v4.105.0']),
    { bursty: true },
  ),
  e('SAML Login', 3, 'user', (c) => c.rng.pick(['authorizationserver.oidc', 'okta.example.com'])),
  e('LastPass Login', 0.5, 'user', empty),
  e('Login', 0.5, 'user', empty),
  e('Login to Admin Console', 2, 'admin', (c) => (c.rng.chance(0.5) ? c.actor : shortName(c.actor))),
  e('Login Verification Email Sent', 1, 'user', empty),
  e('Account Lockout', 0.3, 'user', (c) => c.rng.pick(['', 'Locked by policy'])),
  e('Destroy All Sessions', 0.3, 'user', empty),
  // MFA
  e('Multifactor Enabled', 0.5, 'user', empty),
  e('Disabled Multifactor Authentication', 0.3, 'admin', (c) => c.target()),
  e('Disabled Google Authenticator', 0.2, 'user', empty),
  e('Disabled Microsoft Authenticator', 0.2, 'user', empty),
  e('Disabled YubiKey', 0.1, 'user', empty),
  e('Disabled Grid', 0.1, 'user', empty),
  e('Disabled Toopher', 0.1, 'user', empty),
  e('Disabled LastPass Authentication', 0.2, 'user', empty),
  // Master password and credentials
  e('Master Password Changed', 0.5, 'user', empty),
  e('Master Password Reverted', 0.1, 'user', empty),
  e('Master Password Reset by Super Admin', 0.2, 'admin', (c) => c.target(), {
    modern: 'Master password reset by super admin',
  }),
  e('Require Password Change', 0.3, 'admin', (c) => (c.rng.chance(0.7) ? c.target() : shortName(c.target()))),
  e('Stop Requiring Password Change', 0.2, 'admin', (c) =>
    c.rng.chance(0.7) ? c.target() : shortName(c.target()),
  ),
  e('Password Reset', 0.2, 'user', empty),
  e('Master Password Reuse', 0.1, 'user', empty),
  e('Password Reuse', 0.2, 'user', empty),
  e('Iterations Changed', 0.1, 'user', empty),
  e('Sharing key updated', 0.1, 'user', empty),
  // User lifecycle
  e('Employee Invited', 0.4, 'admin', (c) => emails(c, 3), { bulk: true }),
  e('Re-invite User', 0.2, 'admin', (c) => c.target()),
  e('Employee Account Created', 0.4, 'api', (c) => emails(c, 3), { bulk: true }),
  e('Employee Account Requires Activation', 0.1, 'system', (c) => c.target()),
  e('Created LastPass Account', 0.3, 'user', (c) => `${c.actor}-Shared-${c.folder()}`),
  e('Employee Account Deleted', 0.2, 'admin', (c) => c.target()),
  e('Remove User From Company', 0.1, 'admin', (c) => c.target()),
  e('Deactivated User', 0.1, 'admin', (c) => c.target()),
  e('Deactivating User', 0.1, 'admin', (c) => c.target()),
  e('Disabled', 0.1, 'admin', (c) => c.target()),
  e('Reactivated User', 0.1, 'admin', (c) => c.target()),
  e('User provisioned', 0.3, 'api', (c) => c.target(), { bulk: true }),
  e('User deprovisioned', 0.1, 'api', (c) => c.target()),
  // Admin role
  e('Make Admin', 0.1, 'admin', (c) => (c.rng.chance(0.6) ? c.target() : shortName(c.target()))),
  e('Remove Admin', 0.1, 'admin', (c) => c.target()),
  // Groups
  e('Create Group', 0.2, 'admin', (c) => `'${c.group()}'`),
  e('Delete Group', 0.1, 'admin', (c) => `'${c.group()}'`),
  e('Rename Group', 0.1, 'admin', (c) => `'${c.group()}' to '${c.group()} 2'`),
  e('Edit Group', 0.1, 'admin', (c) => `'${c.group()}' to '${c.group()}'`),
  e('Adding user to group', 0.3, 'admin', (c) => `${c.target()} - ${c.group()}`, { bulk: true }),
  e('Add to Group', 0.2, 'api', (c) => `${c.target()} - ${c.group()}`),
  e('Group Addition', 0.1, 'admin', (c) => `${c.target()} - ${c.group()}`),
  e('Remove from Group', 0.2, 'admin', (c) => `'${c.group()}' '${c.target()}'`),
  e('Group Removal', 0.1, 'admin', (c) => `'${c.group()}' '${c.target()}'`),
  // Policies and account settings
  e('Add Policy', 0.2, 'admin', (c) =>
    c.rng.chance(0.5) ? c.rng.pick(POLICIES) : `${c.rng.pick(POLICIES)} New value: 1`,
  ),
  e('Edit Policy', 0.2, 'admin', (c) => `${c.rng.pick(POLICIES)} New value: ${c.rng.int(0, 16)}`),
  e('Delete Policy', 0.1, 'admin', (c) => c.rng.pick(POLICIES)),
  e('Update Policy Users', 0.1, 'admin', empty),
  e('Add Global Equiv Domain', 0.05, 'admin', empty),
  e('Remove Global Equiv Domain', 0.05, 'admin', empty),
  e('Add Global Never URLs', 0.05, 'admin', empty),
  e('Remove Global Never URLs', 0.05, 'admin', empty),
  e('Add Global Only URLs', 0.05, 'admin', empty),
  e('Enterprise API Secret regenerated', 0.02, 'admin', empty),
  e('Provisioning service added', 0.02, 'admin', empty),
  e('Provisioning service removed', 0.02, 'admin', empty),
  e('Provisioning credential changed', 0.02, 'admin', empty),
  e('SCIM Provisioning Hash Updated', 0.02, 'admin', empty),
  e('Provisioning sync happened', 0.2, 'api', empty),
  // Shared folders: structure
  e('Created Shared Folder', 0.2, 'user', (c) => c.folder()),
  e('Deleted Shared Folder', 0.1, 'user', (c) => c.folder()),
  e('Delete shared folder', 0.05, 'user', (c) => c.folder()),
  e('Permanently Deleted Shared Folder', 0.05, 'admin', (c) => c.folder()),
  e('Restored Shared Folder', 0.05, 'admin', (c) => c.folder()),
  e('Renamed Shared Folder', 0.05, 'user', (c) => `'${c.folder()}' '${c.folder()} (old)'`),
  // Shared folders: membership and permissions
  e('Add to Shared Folder', 0.4, 'user', (c) => `'${c.folder()}' '${c.target()}'`, { bulk: true }),
  e('Removed From Shared Folder', 0.2, 'user', (c) => `'${c.folder()}' '${c.target()}'`),
  e(
    'Update Folder Permissions',
    0.3,
    'user',
    (c) =>
      `'${c.folder()}' '${c.target()}' 'Read only:${c.rng.pick(['yes', 'no'])} Admin:${c.rng.pick(['yes', 'no'])} Hide PW:${c.rng.pick(['yes', 'no'])}'`,
  ),
  e('Limit Shared Folder', 0.1, 'user', (c) => `${c.folder()} ${c.target()}`),
  // Items inside shared folders
  e('Move to Shared Folder', 1, 'user', (c) =>
    c.rng.pick([
      () => `${c.site()} to ${c.folder()}`,
      () => ` to ${c.folder()}`,
      () => `VID: ${c.vid()} to ${c.folder()}`,
    ])(),
  ),
  e('Move from Shared Folder', 0.5, 'user', (c) =>
    c.rng.chance(0.8) ? `${c.site()} from ${c.folder()}` : ' from INVALID SHARED FOLDER',
  ),
  e('Delete Shared Sites', 0.3, 'user', (c) => `${c.site()} from ${c.folder()}`),
  e('Personal Share', 0.2, 'user', empty),
  // Vault items
  e('Site Added', 4, 'user', (c) =>
    c.rng.chance(0.5) ? `${c.site()}/ServiceLogin` : `VID: ${c.vid()} from ${c.folder()}`,
  ),
  e('Site Changed', 1, 'user', (c) => `VID: ${c.vid()}`),
  e('Deleted Sites', 0.5, 'user', (c) =>
    c.rng.chance(0.5) ? Array.from({ length: c.rng.int(1, 3) }, () => c.site()).join(',') : `VID: ${c.vid()}`,
  ),
  e('Site deleted', 0.5, 'user', (c) => `VID: ${c.vid()}`),
  e('Password Changed', 2, 'user', (c) => `VID: ${c.vid()}`),
  e('Username Changed', 0.5, 'user', (c) => `VID: ${c.vid()}`),
  e('Add Secure Note', 1, 'user', (c) =>
    c.rng.chance(0.7)
      ? `Secure Note (${c.rng.pick(NOTE_TYPES)})`
      : `Secure Note (${c.rng.pick(NOTE_TYPES)}) from ${c.folder()}`,
  ),
  e('Open Secure Note', 4, 'user', (c) =>
    c.rng.chance(0.5) ? `Secure Note (${c.rng.pick(NOTE_TYPES)})` : `Secure Note (VID: ${c.vid()})`,
  ),
  e('Edit Secure Note', 1, 'user', (c) => `Secure Note (${c.rng.pick(NOTE_TYPES)})`),
  e('Form Filled', 1, 'user', empty),
  e('Data Export', 0.05, 'user', empty),
  e('Data Import', 0.05, 'user', empty),
  e('Data Printed', 0.02, 'user', empty),
  e('History Cleared', 0.05, 'user', empty),
  // API self-audit left by other integrations
  e('Reporting', 1, 'api', initiated),
  e('Get User Data', 0.3, 'api', initiated),
  e('Get Shared Folder Data', 0.3, 'api', initiated),
];

/** The casing drift happened in late 2022 (elastic/integrations#4839). */
export const MODERN_CASE_FROM = Date.UTC(2022, 10, 1);
