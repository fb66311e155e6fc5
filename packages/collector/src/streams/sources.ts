/**
 * What the streams need from the LastPass client (structural: `LastPassClient` from ./lastpass satisfies
 * it). Streams depend on this narrow shape, never on HTTP.
 */
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
    rejected?: readonly { key: string; record: unknown; reason: string }[] | undefined;
  }>;
}
export interface UserSource {
  getUserData(request: { pageSize: number; pageIndex: number }): Promise<{
    users: Record<string, object>;
    invited: string[];
    total: number | null;
    count: number | null;
    apiCalls: number;
  }>;
}
export interface SharedFolderSource {
  getDetailedSharedFolderData(request: { pageSize: number; pageIndex: number }): Promise<{
    folders: Record<string, object>;
    apiCalls: number;
  }>;
}
