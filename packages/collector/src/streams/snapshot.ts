import { z } from 'zod';
import type { StreamId } from '../config/schema';
import type { Batch, RawDocument, StreamContext } from './types';

const count = z.number().int().nonnegative();

/**
 * Cursor of a full-snapshot stream (users, shared folders): the snapshot in progress, if any, and the
 * last complete one. A snapshot's id and start time are committed before its first document is
 * written, so a crashed snapshot resumes with the same id and start time (contracts §3).
 * `documents` and `set_aside` (records LastPass sent malformed, dead-lettered: issue #15 §6) count the
 * whole snapshot, across resumes; cursors written before they existed read as 0.
 */
export const snapshotCursorSchema = z
  .object({
    in_progress: z
      .object({
        id: z.string(),
        started_at: z.iso.datetime(),
        next_page_index: count,
        documents: count.default(0),
        set_aside: count.default(0),
      })
      .strict()
      .nullable(),
    last_complete: z
      .object({
        id: z.string(),
        started_at: z.iso.datetime(),
        completed_at: z.iso.datetime(),
        documents: count,
        set_aside: count.default(0),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type SnapshotCursor = z.infer<typeof snapshotCursorSchema>;

/** Snapshot ids are the start instant, compact: `20240310T060000Z` (sortable, readable, unique per stream). */
export function snapshotIdOf(startedAt: number): string {
  return new Date(Math.floor(startedAt / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

/**
 * A snapshot start as the documents carry it (`lastpass_enterprise.snapshot.started_at`): RFC 3339 in
 * UTC, whole seconds, `Z` — the text the Agent's CEL program writes, so both inputs ship the same
 * document (a cursor written before this change, with `.000Z`, gives the same text).
 */
export function snapshotStartText(startedAt: string | number): string {
  const ms = typeof startedAt === 'number' ? startedAt : Date.parse(startedAt);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** What a snapshot's documents carry: `lastpass_enterprise.snapshot`. */
export interface SnapshotStamp {
  id: string;
  started_at: string;
}

export interface SnapshotPage {
  documents: (snapshot: SnapshotStamp) => RawDocument[];
  /** Records LastPass sent malformed, as the documents they would have been (dead-lettered, counted as set aside). */
  rejected?: (snapshot: SnapshotStamp) => NonNullable<Batch['rejected']>;
  /** Notes about the answer (e.g. `last_invalid_utf8`), for the stream's health. */
  notes?: Readonly<Record<string, string>> | undefined;
  fetched: number;
  apiCalls: number;
  last: boolean;
}

/** Runs one (possibly resumed) paged snapshot; `fetchPage` reads page `pageIndex` (0-based). */
export async function* readSnapshot(
  stream: StreamId,
  context: StreamContext,
  fetchPage: (pageIndex: number) => Promise<SnapshotPage>,
): AsyncGenerator<Batch, void, undefined> {
  const cursor: SnapshotCursor =
    context.cursor === undefined || context.cursor === null
      ? { in_progress: null, last_complete: null }
      : snapshotCursorSchema.parse(context.cursor);
  let current = cursor.in_progress;
  if (current === null) {
    const startedAt = context.now();
    current = {
      id: snapshotIdOf(startedAt),
      started_at: snapshotStartText(startedAt),
      next_page_index: 0,
      documents: 0,
      set_aside: 0,
    };
    // Commit the snapshot's identity before any of its documents exists.
    yield {
      documents: [],
      fetched: 0,
      apiCalls: 0,
      commit: { ...cursor, in_progress: current },
      persistNow: true,
    };
  } else {
    context.logger.info(
      { stream, snapshot: current.id, page_index: current.next_page_index },
      'resuming snapshot',
    );
  }
  const snapshot: SnapshotStamp = Object.freeze({
    id: current.id,
    started_at: snapshotStartText(current.started_at),
  });
  let { documents: delivered, set_aside: setAside } = current;
  for (let pageIndex = current.next_page_index; !context.signal.aborted; pageIndex++) {
    const page = await fetchPage(pageIndex);
    const documents = page.documents(snapshot);
    const rejected = page.rejected?.(snapshot) ?? [];
    delivered += documents.length;
    setAside += rejected.length;
    const batch = {
      documents,
      ...(rejected.length === 0 ? {} : { rejected }),
      fetched: page.fetched,
      apiCalls: page.apiCalls,
    };
    const notes = page.notes ?? {};
    if (!page.last) {
      const inProgress = {
        ...current,
        next_page_index: pageIndex + 1,
        documents: delivered,
        set_aside: setAside,
      };
      yield {
        ...batch,
        commit: { ...cursor, in_progress: inProgress },
        ...(page.notes === undefined ? {} : { notes }),
      };
      continue;
    }
    const completedAt = new Date(context.now()).toISOString();
    const done: SnapshotCursor = {
      in_progress: null,
      last_complete: {
        id: current.id,
        started_at: current.started_at,
        completed_at: completedAt,
        documents: delivered,
        set_aside: setAside,
      },
    };
    const lastSnapshot = `${current.id} complete at ${completedAt}: ${delivered} document(s); ${
      setAside === 0
        ? 'no record set aside'
        : `${setAside} malformed record(s) set aside (dead-lettered: see last_dead_letter)`
    }`;
    yield {
      ...batch,
      commit: done,
      notes: { ...notes, last_snapshot: lastSnapshot },
      progress: 1,
    };
    return;
  }
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removes every `password` key, at any depth (contracts §3: secrets never enter a document). */
export function withoutPasswords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPasswords);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (k.toLowerCase() !== 'password') out[k] = withoutPasswords(v);
    return out;
  }
  return value;
}
