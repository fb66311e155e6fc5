import { FileCheckpointStore } from './checkpoint/store';
import { formatDuration } from './config/duration';
import { eventReportCursorSchema } from './streams/event-report';
import { snapshotCursorSchema } from './streams/snapshot';
import type { StreamId } from './config/schema';

export interface StatusRow {
  account_number: string;
  stream: StreamId;
  last_success: string | null;
  /** event_report: the committed upper bound; snapshots: the start of the last complete snapshot. */
  cursor: string | null;
  /** now − cursor as text (`1h5m`), or null when nothing has been collected yet. */
  lag: string | null;
  /** now − cursor in whole seconds (for monitoring: `status --json`), or null like `lag`. */
  lag_seconds: number | null;
  last_error: string | null;
  dead_letters: number;
  notes: Record<string, string>;
}

/** What `status` shows, per account and stream, from the state files (contracts §8). */
export async function readStatus(stateDir: string, now: number): Promise<StatusRow[]> {
  const store = new FileCheckpointStore(stateDir);
  const rows: StatusRow[] = [];
  for (const { accountNumber, stream } of await store.list()) {
    const state = await store.load(accountNumber, stream);
    if (state === undefined) continue;
    let cursor: string | null = null;
    if (stream === 'event_report') {
      const parsed = eventReportCursorSchema.safeParse(state.cursor);
      if (parsed.success) cursor = parsed.data.upper;
    } else {
      const parsed = snapshotCursorSchema.safeParse(state.cursor);
      if (parsed.success) cursor = parsed.data.last_complete?.started_at ?? null;
    }
    const error = state.health.last_error;
    const errorIsCurrent =
      error !== null && (state.health.last_success === null || error.at > state.health.last_success);
    rows.push({
      account_number: accountNumber,
      stream,
      last_success: state.health.last_success,
      cursor,
      lag: cursor === null ? null : formatDuration(now - Date.parse(cursor)),
      lag_seconds: cursor === null ? null : Math.max(0, Math.floor((now - Date.parse(cursor)) / 1000)),
      last_error: errorIsCurrent ? `${error.code}: ${error.message} (${error.at})` : null,
      dead_letters: state.health.dead_letters,
      notes: state.health.notes,
    });
  }
  return rows;
}
