/**
 * List cursors: opaque to the caller, tamper-evident, and valid only for the query that made
 * them. A cursor is `<position>.<tag>`, both base64url: the position where the page ended and an
 * HMAC-SHA256 (first 16 bytes) over the position and its scope (the API key, the account and the
 * filters). A made-up, altered, or someone else's cursor, or one reused with other filters, fails
 * the check and is answered 400 on `cursor`, never passed to the store.
 *
 * The key is derived from a deployment secret (the recipient hash key) with a label of its own,
 * so the two uses never share a key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ListPosition } from '../store/model.ts';

/** What a cursor is bound to: the same query, by the same API key. */
export interface CursorScope {
  keyId: string;
  account: string;
  status?: string;
  since?: string;
  until?: string;
}

export interface CursorCodec {
  seal(position: ListPosition, scope: CursorScope): string;
  /** The position, or undefined if the cursor is not one this codec sealed for this scope. */
  open(cursor: string, scope: CursorScope): ListPosition | undefined;
}

const TAG_BYTES = 16;
/** A position is short (`<ISO time>#<ULID>`); anything much longer is not ours. */
const MAX_CURSOR_CHARS = 512;

export function cursorCodec(secret: string): CursorCodec {
  const key = createHmac('sha256', secret).update('wapk/list-cursor/v1').digest();
  const tag = (position: string, scope: CursorScope) =>
    createHmac('sha256', key)
      .update(JSON.stringify([position, scope.keyId, scope.account, scope.status ?? '', scope.since ?? '', scope.until ?? '']))
      .digest()
      .subarray(0, TAG_BYTES);
  return {
    seal(position, scope) {
      const encoded = Buffer.from(JSON.stringify({ c: position.created }), 'utf8').toString('base64url');
      return `${encoded}.${tag(encoded, scope).toString('base64url')}`;
    },
    open(cursor, scope) {
      if (cursor.length > MAX_CURSOR_CHARS) return undefined;
      const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(cursor);
      if (!match) return undefined;
      const presented = Buffer.from(match[2]!, 'base64url');
      // Only the canonical spelling: base64's spare low bits must not make two cursors of one.
      if (presented.length !== TAG_BYTES || presented.toString('base64url') !== match[2]) return undefined;
      if (!timingSafeEqual(presented, tag(match[1]!, scope))) return undefined;
      try {
        const { c } = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8')) as { c?: unknown };
        return typeof c === 'string' ? { created: c } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
