import type { InventorySettings } from '../config/load';
import { readSnapshot } from './snapshot';
import type { SharedFolderSource } from './sources';
import { makeDocument, type DocumentEnvelope, type RawDocument, type Stream } from './types';

/**
 * Detailed shared folders (`getdetailedsfdata` paged): one document per (folder, member), the folder
 * object with `id` = its map key and `users` replaced by that one member; a folder without members
 * yields one document without `users` (contracts §3). The last page has fewer folders than the page size.
 */
export function createDetailedSharedFolderStream(options: {
  source: SharedFolderSource;
  settings: InventorySettings;
  envelope: DocumentEnvelope;
}): Stream {
  const { source, settings, envelope } = options;
  return {
    id: 'detailed_shared_folder',
    async *read(context) {
      yield* readSnapshot('detailed_shared_folder', context, async (pageIndex) => {
        const page = await source.getDetailedSharedFolderData({ pageSize: settings.pageSize, pageIndex });
        const entries = Object.entries(page.folders);
        return {
          fetched: entries.length,
          apiCalls: page.apiCalls,
          last: entries.length < settings.pageSize,
          documents: (snapshot) => {
            const docs: RawDocument[] = [];
            const add = (message: unknown): void => {
              const doc = makeDocument('detailed_shared_folder', envelope, message);
              doc.lastpass_enterprise = { snapshot };
              docs.push(doc);
            };
            for (const [id, folder] of entries) {
              const { users, ...rest } = folder as { users?: unknown };
              const members = Array.isArray(users) ? (users as unknown[]) : [];
              if (members.length === 0) add({ ...rest, id });
              for (const member of members) add({ ...rest, id, users: member });
            }
            return docs;
          },
        };
      });
    },
  };
}
