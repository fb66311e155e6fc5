/**
 * Issue #15 §6 for the inventory streams: a malformed user, shared folder or folder member is
 * dead-lettered with its reason and the snapshot goes on and completes, counting what it set aside
 * (state, `status`); `--strict` stops instead. Invalid UTF-8 in an answer is a note in the stream's
 * health (shown by `status`), not only a log line. Through HTTP: the simulator behind a proxy that
 * corrupts some records of its answers, the real client, the sync loop, state and dead-letter files.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startSimulator, type RunningSimulator } from '@lastpass-elastic/simulator';
import { FileCheckpointStore } from '../src/checkpoint/store';
import { createLastPassClient } from '../src/lastpass';
import { FileDeadLetters } from '../src/sink/dead-letter';
import { MemorySink } from '../src/sink/memory';
import { createDetailedSharedFolderStream } from '../src/streams/detailed-shared-folder';
import { createEventReportStream } from '../src/streams/event-report';
import type { SnapshotCursor } from '../src/streams/snapshot';
import type { Stream } from '../src/streams/types';
import { createUserStream } from '../src/streams/user';
import { readStatus } from '../src/status';
import { runStream } from '../src/sync/run-stream';
import { FakeClock, mocked } from './lastpass/helpers';
import { recordingLogger, TEST_ENVELOPE, testAccount } from './support/harness';

const NOW = Date.parse('2024-11-15T00:00:00Z');
/** Hex, like a real provisioning hash. */
const SECRET = '4c1d9e7a2b5f8e3c6a0d4b7e9f1a3c5e7b9d0f2a';

type Answer = string | Buffer | { status: number; body: string };
type Mutate = (command: string, pageIndex: number, body: string, requestText: string) => Answer;

/** The simulator behind an HTTP proxy on 127.0.0.1:0 that may rewrite each answer (`mutate`). */
async function corruptingProxy(sim: RunningSimulator, mutate: Mutate) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestText = Buffer.concat(chunks).toString('utf8');
      void request(sim.url, { method: 'POST', body: requestText }).then(async (answer) => {
        const body = await answer.body.text();
        const parsed = JSON.parse(requestText) as { cmd: string; data?: { pageindex?: unknown } };
        const out = mutate(parsed.cmd, Number(parsed.data?.pageindex ?? 0), body, requestText);
        const { status, text } =
          typeof out === 'string' || Buffer.isBuffer(out)
            ? { status: answer.statusCode, text: out }
            : { status: out.status, text: out.body };
        res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/enterpriseapi.php`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

interface DeadLetterLine {
  error: { type: string; reason: string };
  document: { message: string; lastpass_enterprise?: { snapshot?: { id: string } } };
}

function deadLetters(stateDir: string, stream: string): DeadLetterLine[] {
  const file = join(stateDir, '8771312', `${stream}.dead-letter.ndjson`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DeadLetterLine);
}

/** The sync loop over one stream, with state and dead letters in `stateDir`. */
function run(stream: Stream, stateDir: string, strict = false, sink = new MemorySink()) {
  return runStream({
    accountNumber: '8771312',
    stream,
    store: new FileCheckpointStore(stateDir),
    sink,
    deadLetters: new FileDeadLetters(stateDir),
    now: () => NOW,
    logger: recordingLogger().logger,
    signal: new AbortController().signal,
    strict,
  });
}

function clientOf(url: string) {
  return createLastPassClient({
    url,
    accountNumber: '8771312',
    provisioningHash: SECRET,
    apiUser: 'unit',
    clock: new FakeClock(NOW),
    timeoutMs: 0,
    minIntervalMs: 0,
    retry: { maxAttempts: 1 },
  });
}

describe('malformed inventory records (issue #15 §6)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      provisioningHash: SECRET,
      accountNumber: '8771312',
      users: 30,
      sharedFolders: 12,
      invited: 3,
      end: new Date(NOW),
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  /** The users and folders each page holds, as the simulator serves them (ground truth). */
  const userIds = (): string[] => sim.tenant.users.map((u) => u.id);
  const badUsers = (): [string, string] => [userIds()[2] ?? '', userIds()[5] ?? ''];

  /** Page 0 of getuserdata: one user with a numeric username, one without a username that echoes the request. */
  const corruptUsers: Mutate = (command, pageIndex, body, requestText) => {
    if (command !== 'getuserdata' || pageIndex !== 0) return body;
    const answer = JSON.parse(body) as { Users: Record<string, Record<string, unknown>> };
    const [numeric, missing] = badUsers();
    const a = answer.Users[numeric];
    const b = answer.Users[missing];
    if (a === undefined || b === undefined) throw new Error('test setup: users not on page 0');
    a.username = 4711;
    delete b.username;
    b.fullname = requestText; // an echo of the request: it holds the provisioning hash
    b.attribs = { password: 'hunter2', objectGUID: 'g' };
    return JSON.stringify(answer);
  };

  const userStream = (url: string) =>
    createUserStream({
      source: clientOf(url),
      settings: { ...testAccount().user, pageSize: 10 },
      envelope: TEST_ENVELOPE,
    });

  it('a bad user on a full page: dead-lettered with its reason, every good user delivered, the snapshot completes and counts it; status shows it', async () => {
    const proxy = await corruptingProxy(sim, corruptUsers);
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-bad-user-'));
    const sink = new MemorySink();
    try {
      const result = await run(userStream(proxy.url), stateDir, false, sink);
      expect(result.outcome).toBe('ok');
      const invited = sim.tenant.invited.length;
      expect(result.counts).toMatchObject({ fetched: 30 + invited, indexed: 28 + invited, failed: 2 });
      // every good user (all pages: the bad ones count toward the page size, so paging goes on) and the invitees
      const delivered = [...(sink.documents.get('user')?.values() ?? [])].map(
        (d) => JSON.parse(d.message) as { id?: string; username: unknown },
      );
      const [numeric, missing] = badUsers();
      expect(delivered.filter((d) => d.id !== undefined).map((d) => d.id)).toEqual(
        userIds().filter((id) => id !== numeric && id !== missing),
      );
      expect(delivered.filter((d) => d.id === undefined)).toHaveLength(invited);
      // the snapshot completed, with what it set aside
      const state = await new FileCheckpointStore(stateDir).load('8771312', 'user');
      const cursor = state?.cursor as SnapshotCursor;
      expect(cursor.in_progress).toBeNull();
      expect(cursor.last_complete).toMatchObject({ documents: 28 + invited, set_aside: 2 });
      expect(state?.health.dead_letters).toBe(2);
      expect(state?.health.notes.last_snapshot).toMatch(
        new RegExp(
          `^${cursor.last_complete?.id ?? ''} complete at .*: ${28 + invited} document\\(s\\); 2 malformed record\\(s\\) set aside`,
        ),
      );
      // the dead letters: the documents they would have been, with the page, path and field
      const lines = deadLetters(stateDir, 'user');
      expect(lines.map((l) => l.error.type)).toEqual(['lastpass_invalid_record', 'lastpass_invalid_record']);
      expect(lines.map((l) => l.error.reason)).toEqual([
        `getuserdata page 0: Users.${numeric}.username: Invalid input: expected string, received number`,
        `getuserdata page 0: Users.${missing}.username: Invalid input: expected string, received undefined`,
      ]);
      const first = JSON.parse(lines[0]?.document.message ?? '{}') as Record<string, unknown>;
      expect(first).toMatchObject({ id: numeric, username: 4711 });
      expect(lines[0]?.document.lastpass_enterprise?.snapshot?.id).toBe(cursor.last_complete?.id);
      // the echo reached the dead letter redacted; passwords never
      const file = readFileSync(join(stateDir, '8771312', 'user.dead-letter.ndjson'), 'utf8');
      expect(file).toContain('[REDACTED]');
      expect(file).not.toContain(SECRET);
      expect(file).not.toContain(SECRET.slice(0, 12));
      expect(file).not.toContain('hunter2');
      expect(readFileSync(join(stateDir, '8771312', 'user.json'), 'utf8')).not.toContain(SECRET);
      // status
      const [row] = await readStatus(stateDir, NOW);
      expect(row).toMatchObject({ stream: 'user', dead_letters: 2, last_error: null });
      expect(row?.cursor).toBe(cursor.last_complete?.started_at);
      expect(row?.notes.last_snapshot).toContain('2 malformed record(s) set aside');
      expect(row?.notes.last_dead_letter).toContain(`Users.${numeric}.username`);
      // the next snapshot is clean: its note says so (the count is of the last complete snapshot)
      const clean = await run(userStream(sim.url), stateDir);
      expect(clean.outcome).toBe('ok');
      const after = await new FileCheckpointStore(stateDir).load('8771312', 'user');
      expect((after?.cursor as SnapshotCursor).last_complete?.set_aside).toBe(0);
      expect(after?.health.notes.last_snapshot).toContain('no record set aside');
    } finally {
      await proxy.close();
    }
  });

  it('--strict stops at the bad user without committing: nothing dead-lettered, the snapshot stays at that page', async () => {
    const proxy = await corruptingProxy(sim, corruptUsers);
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-bad-user-strict-'));
    try {
      const result = await run(userStream(proxy.url), stateDir, true);
      expect(result.outcome).toBe('failed');
      expect(result.error?.message).toContain('--strict: stopping without committing');
      expect(result.error?.message).toContain('lastpass_invalid_record: getuserdata page 0: Users.');
      expect(deadLetters(stateDir, 'user')).toEqual([]);
      const cursor = (await new FileCheckpointStore(stateDir).load('8771312', 'user'))
        ?.cursor as SnapshotCursor;
      expect(cursor.in_progress).toMatchObject({ next_page_index: 0 });
      expect(cursor.last_complete).toBeNull();
    } finally {
      await proxy.close();
    }
  });

  it('a snapshot that set records aside, then failed, counts them when it resumes and completes', async () => {
    let failedOnce = false;
    const proxy = await corruptingProxy(sim, (command, pageIndex, body, requestText) => {
      if (command === 'getuserdata' && pageIndex === 1 && !failedOnce) {
        failedOnce = true;
        return { status: 503, body: '<html>busy</html>' };
      }
      return corruptUsers(command, pageIndex, body, requestText);
    });
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-bad-user-resume-'));
    try {
      const first = await run(userStream(proxy.url), stateDir);
      expect(first.outcome).toBe('failed');
      const store = new FileCheckpointStore(stateDir);
      const crashed = (await store.load('8771312', 'user'))?.cursor as SnapshotCursor;
      const invited = sim.tenant.invited.length;
      expect(crashed.in_progress).toMatchObject({ next_page_index: 1, documents: 8 + invited, set_aside: 2 });
      const second = await run(userStream(proxy.url), stateDir);
      expect(second.outcome).toBe('ok');
      const done = (await store.load('8771312', 'user'))?.cursor as SnapshotCursor;
      expect(done.last_complete).toMatchObject({
        id: crashed.in_progress?.id,
        documents: 28 + invited,
        set_aside: 2,
      });
      expect(deadLetters(stateDir, 'user')).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  describe('shared folders', () => {
    /** Page 0: a folder with ≥ 2 members gets a bad member; page 1: a folder loses its name (bad whole). */
    const pick = () => {
      const folders = sim.tenant.sharedFolders;
      const withMembers = folders.slice(0, 5).find((f) => f.users.length >= 2);
      const whole = folders[6];
      if (withMembers === undefined || whole === undefined)
        throw new Error('test setup: no folder to corrupt');
      return { member: withMembers, whole };
    };
    const corruptFolders: Mutate = (command, pageIndex, body) => {
      if (command !== 'getdetailedsfdata' || pageIndex > 1) return body;
      const answer = JSON.parse(body) as Record<
        string,
        { users: Record<string, unknown>[] } & Record<string, unknown>
      >;
      const { member, whole } = pick();
      if (pageIndex === 0) {
        const folder = answer[member.id];
        const m = folder?.users[1];
        if (m === undefined) throw new Error('test setup: member not on page 0');
        m.username = 7;
      } else {
        const folder = answer[whole.id];
        if (folder === undefined) throw new Error('test setup: folder not on page 1');
        delete folder.sharedfoldername;
      }
      return JSON.stringify(answer);
    };
    const folderStream = (url: string) =>
      createDetailedSharedFolderStream({
        source: clientOf(url),
        settings: { ...testAccount().detailedSharedFolder, pageSize: 5 },
        envelope: TEST_ENVELOPE,
      });
    /** (folder id, member username or '') of every document the simulator's folders make. */
    const keysOf = (folders: typeof sim.tenant.sharedFolders) =>
      folders.flatMap((f) =>
        f.users.length === 0 ? [`${f.id}/`] : f.users.map((u) => `${f.id}/${u.username}`),
      );

    it('a bad member alone and a bad folder whole are dead-lettered with their reasons; every good (folder, member) delivered; the snapshot completes', async () => {
      const proxy = await corruptingProxy(sim, corruptFolders);
      const stateDir = mkdtempSync(join(tmpdir(), 'lpe-bad-folder-'));
      const sink = new MemorySink();
      try {
        const result = await run(folderStream(proxy.url), stateDir, false, sink);
        expect(result.outcome).toBe('ok');
        const { member, whole } = pick();
        const badMember = member.users[1]?.username ?? '';
        const expected = keysOf(sim.tenant.sharedFolders).filter(
          (k) => k !== `${member.id}/${badMember}` && !k.startsWith(`${whole.id}/`),
        );
        const delivered = [...(sink.documents.get('detailed_shared_folder')?.values() ?? [])].map((d) => {
          const m = JSON.parse(d.message) as { id: string; users?: { username: string } };
          return `${m.id}/${m.users?.username ?? ''}`;
        });
        expect(delivered.sort()).toEqual(expected.sort());
        // the bad member's folder still delivers its other members
        expect(delivered.filter((k) => k.startsWith(`${member.id}/`))).toHaveLength(member.users.length - 1);
        expect(result.counts).toMatchObject({ fetched: 12, indexed: expected.length, failed: 2 });
        const lines = deadLetters(stateDir, 'detailed_shared_folder');
        expect(lines.map((l) => l.error.reason)).toEqual([
          `getdetailedsfdata page 0: ${member.id}.users.1.username: Invalid input: expected string, received number`,
          `getdetailedsfdata page 1: ${whole.id}.sharedfoldername: Invalid input: expected string, received undefined`,
        ]);
        // the member as the document it would have been: its folder, `users` = that member
        expect(JSON.parse(lines[0]?.document.message ?? '{}')).toMatchObject({
          id: member.id,
          sharedfoldername: member.sharedfoldername,
          users: { username: 7 },
        });
        // the folder whole, as received
        expect(JSON.parse(lines[1]?.document.message ?? '{}')).toMatchObject({
          id: whole.id,
          users: whole.users.map((u) => ({ username: u.username })),
        });
        const state = await new FileCheckpointStore(stateDir).load('8771312', 'detailed_shared_folder');
        const cursor = state?.cursor as SnapshotCursor;
        expect(cursor.in_progress).toBeNull();
        expect(cursor.last_complete).toMatchObject({ documents: expected.length, set_aside: 2 });
        const [row] = await readStatus(stateDir, NOW);
        expect(row).toMatchObject({ stream: 'detailed_shared_folder', dead_letters: 2, last_error: null });
        expect(row?.notes.last_snapshot).toContain('2 malformed record(s) set aside');
        const files = ['detailed_shared_folder.dead-letter.ndjson', 'detailed_shared_folder.json'];
        for (const f of files)
          expect(readFileSync(join(stateDir, '8771312', f), 'utf8')).not.toContain(SECRET);
      } finally {
        await proxy.close();
      }
    });

    it('a folder whose every member is bad gives no memberless document (it has members; they are dead-lettered)', async () => {
      const { member } = pick();
      const proxy = await corruptingProxy(sim, (command, pageIndex, body) => {
        if (command !== 'getdetailedsfdata' || pageIndex !== 0) return body;
        const answer = JSON.parse(body) as Record<string, { users: Record<string, unknown>[] }>;
        for (const m of answer[member.id]?.users ?? []) m.readonly = 'yes';
        return JSON.stringify(answer);
      });
      const stateDir = mkdtempSync(join(tmpdir(), 'lpe-bad-members-'));
      const sink = new MemorySink();
      try {
        const result = await run(folderStream(proxy.url), stateDir, false, sink);
        expect(result.outcome).toBe('ok');
        const delivered = [...(sink.documents.get('detailed_shared_folder')?.values() ?? [])].map(
          (d) => JSON.parse(d.message) as { id: string },
        );
        expect(delivered.filter((d) => d.id === member.id)).toEqual([]);
        expect(deadLetters(stateDir, 'detailed_shared_folder')).toHaveLength(member.users.length);
      } finally {
        await proxy.close();
      }
    });
  });
});

describe('invalid UTF-8 in an answer is a note in the health, shown by status (issue #15 §6)', () => {
  it('users: the snapshot completes; last_invalid_utf8 names the command and the offset', async () => {
    const sim = await startSimulator({
      provisioningHash: SECRET,
      accountNumber: '8771312',
      users: 12,
      end: new Date(NOW),
    });
    let offset = -1;
    const proxy = await corruptingProxy(sim, (command, pageIndex, body) => {
      if (command !== 'getuserdata' || pageIndex !== 1) return body;
      // an invalid byte inside a string value: the JSON stays valid, the text is read with U+FFFD
      const at = body.indexOf('"username":"') + '"username":"'.length;
      const head = Buffer.from(body.slice(0, at));
      offset = head.length;
      return Buffer.concat([head, Buffer.from([0xc3, 0x28]), Buffer.from(body.slice(at))]);
    });
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-utf8-'));
    try {
      const stream = createUserStream({
        source: clientOf(proxy.url),
        settings: { ...testAccount().user, pageSize: 5 },
        envelope: TEST_ENVELOPE,
      });
      expect((await run(stream, stateDir)).outcome).toBe('ok');
      expect(offset).toBeGreaterThan(0);
      const [row] = await readStatus(stateDir, NOW);
      const note = row?.notes.last_invalid_utf8 ?? '';
      expect(note).toMatch(/^2024-11-15T00:00:00\.000Z: a getuserdata answer was not valid UTF-8 /);
      expect(note).toContain(`(first invalid byte at offset ${offset} of `);
      expect(note).toMatch(/\); the invalid bytes were read as U\+FFFD$/);
      expect(row?.last_error).toBeNull();
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  it('event_report: the same note, from the answer of a window', async () => {
    const head = Buffer.from(
      '{"status":"OK","next":null,"data":{"Event1":{"Time":"2024-11-14 10:00:00","Username":"a',
    );
    const body = Buffer.concat([
      head,
      Buffer.from([0xff]),
      Buffer.from('","IP_Address":"","Action":"Log in","Data":""}}}'),
    ]);
    const stateDir = mkdtempSync(join(tmpdir(), 'lpe-utf8-events-'));
    const stream = createEventReportStream({
      source: mocked(200, body).client,
      settings: testAccount().eventReport,
      envelope: TEST_ENVELOPE,
      apiUser: 'unit',
    });
    expect((await run(stream, stateDir)).outcome).toBe('ok');
    const [row] = await readStatus(stateDir, NOW);
    expect(row?.notes.last_invalid_utf8).toContain(
      `a reporting answer was not valid UTF-8 (first invalid byte at offset ${head.length} of ${body.length})`,
    );
  });
});
