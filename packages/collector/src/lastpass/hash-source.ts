/**
 * Where the client gets the provisioning hash. A fixed value, or one that can be read again — from a
 * file, when LastPass refuses the hash (rotated in the Admin Console and updated in the file): the
 * client then sends the refused request once more with the new hash, without a restart.
 */
export interface ProvisioningHashSource {
  /** The hash to send now. */
  current(): string;
  /** Reads the hash again; true when it changed. */
  refresh(): boolean;
}

export function fixedHash(value: string): ProvisioningHashSource {
  return { current: () => value, refresh: () => false };
}
