import { contentKey } from '../../core/content-key';

/** Hex SHA-256 of `bytes`: the fingerprint sync compares to tell whether a side changed. */
export async function hashBytes(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Hash of an item's fields in key order, so equal items hash alike whichever side they came from:
 * SHA-256 of a small text, computed in place (no round trip to WebCrypto).
 */
export function hashItem(item: object): string {
  const sorted = Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)));
  return contentKey(JSON.stringify(sorted));
}
