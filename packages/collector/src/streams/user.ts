import type { InventorySettings } from '../config/load';
import { isRecord, readSnapshot, withoutPasswords } from './snapshot';
import type { UserSource } from './sources';
import { documentFactory, type DocumentEnvelope, type RawDocument, type Stream } from './types';

/**
 * Users (`getuserdata`, 0-based `pageindex`): one document per user with `id` = its map key, one per
 * pending invitee `{username, invited: true}`; all with `lastpass_enterprise.snapshot` = the snapshot's id and start time (the pipeline makes
 * `@timestamp` from it; no input sets `@timestamp`, contracts §3).
 * The last page is the one with fewer users than the page size (or the cumulative count reaching `total`);
 * users the source set aside as malformed count toward both (LastPass sent them) and are dead-lettered
 * as the documents they would have been, with the reason (issue #15 §6): the snapshot goes on.
 */
export function createUserStream(options: {
  source: UserSource;
  settings: InventorySettings;
  envelope: DocumentEnvelope;
}): Stream {
  const { source, settings, envelope } = options;
  const { fromRecord } = documentFactory('user', envelope);
  return {
    id: 'user',
    async *read(context) {
      const invitees = new Set<string>();
      yield* readSnapshot('user', context, async (pageIndex) => {
        const page = await source.getUserData({ pageSize: settings.pageSize, pageIndex });
        const entries = Object.entries(page.users);
        const rejected = page.rejected ?? [];
        const received = entries.length + rejected.length;
        const newInvitees = page.invited.filter((email) => !invitees.has(email));
        for (const email of newInvitees) invitees.add(email);
        const last =
          received < settings.pageSize ||
          (page.total !== null && pageIndex * settings.pageSize + received >= page.total);
        return {
          fetched: received + newInvitees.length,
          apiCalls: page.apiCalls,
          last,
          notes: page.notes,
          documents: (snapshot) => {
            const docs: RawDocument[] = [];
            const add = (message: unknown): void => {
              const doc = fromRecord(message);
              doc.lastpass_enterprise = { snapshot };
              docs.push(doc);
            };
            for (const [id, user] of entries) add({ ...(withoutPasswords(user) as object), id });
            for (const email of newInvitees) add({ username: email, invited: true });
            return docs;
          },
          ...(rejected.length === 0
            ? {}
            : {
                rejected: (snapshot) =>
                  rejected.map((r) => {
                    const user = withoutPasswords(r.record);
                    const document = fromRecord(isRecord(user) ? { ...user, id: r.key } : user);
                    document.lastpass_enterprise = { snapshot };
                    return {
                      document,
                      type: 'lastpass_invalid_record',
                      reason: `getuserdata page ${pageIndex}: ${r.reason}`,
                    };
                  }),
              }),
        };
      });
    },
  };
}
