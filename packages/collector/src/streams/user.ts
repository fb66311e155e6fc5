import type { InventorySettings } from '../config/load';
import { readSnapshot, withoutPasswords } from './snapshot';
import type { UserSource } from './sources';
import { makeDocument, type DocumentEnvelope, type RawDocument, type Stream } from './types';

/**
 * Users (`getuserdata`, 0-based `pageindex`): one document per user with `id` = its map key, one per
 * pending invitee `{username, invited: true}`; all with `lastpass_enterprise.snapshot` = the snapshot's id and start time (the pipeline makes
 * `@timestamp` from it; no input sets `@timestamp`, contracts §3).
 * The last page is the one with fewer users than the page size (or the cumulative count reaching `total`).
 */
export function createUserStream(options: {
  source: UserSource;
  settings: InventorySettings;
  envelope: DocumentEnvelope;
}): Stream {
  const { source, settings, envelope } = options;
  return {
    id: 'user',
    async *read(context) {
      const invitees = new Set<string>();
      yield* readSnapshot('user', context, async (pageIndex) => {
        const page = await source.getUserData({ pageSize: settings.pageSize, pageIndex });
        const entries = Object.entries(page.users);
        const newInvitees = page.invited.filter((email) => !invitees.has(email));
        for (const email of newInvitees) invitees.add(email);
        const last =
          entries.length < settings.pageSize ||
          (page.total !== null && pageIndex * settings.pageSize + entries.length >= page.total);
        return {
          fetched: entries.length + newInvitees.length,
          apiCalls: page.apiCalls,
          last,
          documents: (snapshot) => {
            const docs: RawDocument[] = [];
            const add = (message: unknown): void => {
              const doc = makeDocument('user', envelope, message);
              doc.lastpass_enterprise = { snapshot };
              docs.push(doc);
            };
            for (const [id, user] of entries) add({ ...(withoutPasswords(user) as object), id });
            for (const email of newInvitees) add({ username: email, invited: true });
            return docs;
          },
        };
      });
    },
  };
}
