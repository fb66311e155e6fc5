import { readFileSync } from 'node:fs';
import type { ProvisioningHashSource } from '../lastpass/hash-source';
import type { Secret } from './secret';

/**
 * The provisioning hash of `provisioning_hash_file` / LASTPASS_PROVISIONING_HASH_FILE, read again when
 * LastPass refuses it: rotating the hash is "regenerate it in the Admin Console, write it to the file",
 * with no restart. An unreadable or empty file on a re-read keeps the hash in use.
 */
export function fileHashSource(path: string, initial: Secret): ProvisioningHashSource {
  let value = initial.reveal();
  return {
    current: () => value,
    refresh: () => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8').trim();
      } catch {
        return false;
      }
      if (text === '' || text === value) return false;
      value = text;
      return true;
    },
  };
}
