import type { InventorySettings } from '../config/load';
import { isRecord, readSnapshot } from './snapshot';
import type { SharedFolderSource } from './sources';
import { documentFactory, type DocumentEnvelope, type RawDocument, type Stream } from './types';

/**
 * Detailed shared folders (`getdetailedsfdata` paged): one document per (folder, member), the folder
 * object with `id` = its map key and `users` replaced by that one member; a folder without members
 * yields one document without `users` (contracts §3). The last page has fewer folders than the page size.
 * What the source set aside as malformed is dead-lettered as the documents it would have been, with the
 * reason (issue #15 §6): a bad member alone (its folder's other members are delivered), a bad folder
 * whole. A folder whose every member was set aside yields no memberless document (it has members).
 */
export function createDetailedSharedFolderStream(options: {
  source: SharedFolderSource;
  settings: InventorySettings;
  envelope: DocumentEnvelope;
}): Stream {
  const { source, settings, envelope } = options;
  const { fromRecord } = documentFactory('detailed_shared_folder', envelope);
  /** The folder's keys but `users`, with `id`: what each of its documents shares. */
  const folderPart = (id: string, folder: unknown): Record<string, unknown> => {
    const { users: _users, ...rest } = isRecord(folder) ? folder : {};
    return { ...rest, id };
  };
  return {
    id: 'detailed_shared_folder',
    async *read(context) {
      yield* readSnapshot('detailed_shared_folder', context, async (pageIndex) => {
        const page = await source.getDetailedSharedFolderData({ pageSize: settings.pageSize, pageIndex });
        const entries = Object.entries(page.folders);
        const rejected = page.rejected ?? [];
        const withBadMembers = new Set(rejected.filter((r) => r.member !== undefined).map((r) => r.key));
        const received = entries.length + rejected.filter((r) => r.member === undefined).length;
        return {
          fetched: received,
          apiCalls: page.apiCalls,
          last: received < settings.pageSize,
          notes: page.notes,
          documents: (snapshot) => {
            const docs: RawDocument[] = [];
            const add = (message: unknown): void => {
              const doc = fromRecord(message);
              doc.lastpass_enterprise = { snapshot };
              docs.push(doc);
            };
            for (const [id, folder] of entries) {
              const { users } = folder as { users?: unknown };
              const members = Array.isArray(users) ? (users as unknown[]) : [];
              const rest = folderPart(id, folder);
              if (members.length === 0 && !withBadMembers.has(id)) add(rest);
              for (const member of members) add({ ...rest, users: member });
            }
            return docs;
          },
          ...(rejected.length === 0
            ? {}
            : {
                rejected: (snapshot) =>
                  rejected.map((r) => {
                    // a member: the document it would have been (its folder is in the page); a folder: as received
                    const message =
                      r.member === undefined
                        ? isRecord(r.record)
                          ? { ...r.record, id: r.key }
                          : r.record
                        : { ...folderPart(r.key, page.folders[r.key]), users: r.record };
                    const document = fromRecord(message);
                    document.lastpass_enterprise = { snapshot };
                    return {
                      document,
                      type: 'lastpass_invalid_record',
                      reason: `getdetailedsfdata page ${pageIndex}: ${r.reason}`,
                    };
                  }),
              }),
        };
      });
    },
  };
}
