/**
 * What the streams need from the LastPass client (structural: `LastPassClient` from ./lastpass satisfies
 * it). Streams depend on this narrow shape, never on HTTP.
 */
/**
 * A record the source refused (malformed), left out of its page; dead-lettered by the stream. `member`:
 * a folder member's index in its folder's `users` (the folder itself is in the page).
 */
export interface RejectedRecord {
  key: string;
  member?: number | undefined;
  record: unknown;
  reason: string;
}
/** Operator notes about an answer (e.g. `last_invalid_utf8`), merged into the stream's health. */
export type AnswerNotes = Readonly<Record<string, string>>;

export interface ReportingRecord {
  Time: string;
  Username: string;
  IP_Address: string;
  Action: string;
  Data: string;
}
export interface ReportingSource {
  reporting(request: { from: string; to: string }): Promise<{
    events: ReportingRecord[];
    /** Each record's JSON text as received, when the source has it (`texts[i]` is `events[i]`). */
    texts?: readonly string[] | undefined;
    next?: string | number | null | undefined;
    apiCalls: number;
    /** Records that failed validation, left out of `events` (dead-lettered by the stream). */
    rejected?: readonly RejectedRecord[] | undefined;
    notes?: AnswerNotes | undefined;
  }>;
}
export interface UserSource {
  getUserData(request: { pageSize: number; pageIndex: number }): Promise<{
    users: Record<string, object>;
    invited: string[];
    total: number | null;
    count: number | null;
    apiCalls: number;
    /** Users that failed validation, left out of `users`. */
    rejected?: readonly RejectedRecord[] | undefined;
    notes?: AnswerNotes | undefined;
  }>;
}
export interface SharedFolderSource {
  getDetailedSharedFolderData(request: { pageSize: number; pageIndex: number }): Promise<{
    folders: Record<string, object>;
    apiCalls: number;
    /** Folders (left out of `folders`) and members (`member`; left out of their folder) that failed validation. */
    rejected?: readonly RejectedRecord[] | undefined;
    notes?: AnswerNotes | undefined;
  }>;
}
