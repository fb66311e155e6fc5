/** Ground-truth types of a simulated tenant. Records are the exact JSON objects the API serves. */

/** One `EventN` record of `reporting`. */
export interface EventRecord {
  Time: string;
  Username: string;
  IP_Address: string;
  Action: string;
  Data: string;
}

export interface GroundTruthEvent {
  /** The record served (same object every time). */
  record: EventRecord;
  /** The UTC instant of `record.Time` (epoch ms, whole seconds). */
  instant: number;
  /** Microsecond timestamp, unique per event, ordered like the history (the `next` token). */
  micros: number;
  /** Epoch ms from which the event is visible (`instant` unless late arrival is configured). */
  visibleAt: number;
  /** True for the simulator's own self-audit events. */
  selfAudit: boolean;
}

/** A `getuserdata` user record (the map value); optional keys are absent when not applicable. */
export interface UserRecord {
  username: string;
  fullname: string;
  mpstrength: string;
  created: string;
  last_pw_change: string;
  last_login: string;
  neverloggedin: boolean;
  disabled: boolean;
  admin: boolean;
  password_reset_required: boolean;
  totalscore: string | null;
  duousername: string | null;
  sites: number | null;
  notes: number | null;
  formfills: number | null;
  applications: number | null;
  attachments: number | null;
  groups?: string[];
  multifactor?: string | null;
  linked?: string;
  attribs?: Record<string, string>;
  superadmin?: boolean;
}

export interface SimUser {
  id: string;
  record: UserRecord;
}

export interface FolderMember {
  username: string;
  readonly: number | boolean;
  give: number | boolean;
  can_administer: number | boolean;
  superadmin?: boolean;
  sites: string[];
}

export interface SimSharedFolder {
  id: string;
  sharedfoldername: string;
  score: number;
  deleted?: boolean;
  users: FolderMember[];
}

export interface Tenant {
  /** Every event ever generated plus the self-audit events appended by calls; sorted by `micros`. */
  events: GroundTruthEvent[];
  /** Sorted by numeric id. */
  users: SimUser[];
  invited: string[];
  /** Group name → member emails. */
  groups: Record<string, string[]>;
  /** Sorted by numeric id. */
  sharedFolders: SimSharedFolder[];
}
