import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cursorCodec, type CursorScope } from './cursor.ts';

const SECRET = 'k'.repeat(32);
const scope: CursorScope = { keyId: 'ops', account: 'acme-kaleyra', status: 'queued', since: '2026-11-01T00:00:00.000Z' };
const position = { created: '2026-11-22T10:00:00.000Z#01KAKXQ0000000000000000000' };

describe('list cursors', () => {
  const codec = cursorCodec(SECRET);

  it('opens what it sealed, for the same scope', () => {
    const cursor = codec.seal(position, scope);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.open(cursor, scope)).toEqual(position);
  });

  it('refuses a cursor of another API key, account or filter', () => {
    const cursor = codec.seal(position, scope);
    const others: CursorScope[] = [
      { ...scope, keyId: 'other' },
      { ...scope, account: 'acme-gupshup' },
      { ...scope, status: 'sent' },
      { keyId: 'ops', account: 'acme-kaleyra' },
      { ...scope, until: '2026-12-01T00:00:00.000Z' },
    ];
    for (const other of others) {
      expect(codec.open(cursor, other)).toBeUndefined();
    }
  });

  it('refuses a cursor sealed under another secret', () => {
    expect(cursorCodec('z'.repeat(32)).open(codec.seal(position, scope), scope)).toBeUndefined();
  });

  it('refuses a tampered cursor: any one character changed', () => {
    const cursor = codec.seal(position, scope);
    for (let i = 0; i < cursor.length; i++) {
      if (cursor[i] === '.') continue;
      const changed = `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;
      expect(codec.open(changed, scope), `position ${i}`).toBeUndefined();
    }
  });

  it('refuses made-up cursors, including an unsigned copy of the old format (property)', () => {
    const unsigned = { pk: 'M#x', sk: 'M', account: 'acme-kaleyra', created: position.created };
    const oldStyle = Buffer.from(JSON.stringify(unsigned)).toString('base64url');
    for (const madeUp of [oldStyle, '', '.', 'a.b', `${oldStyle}.`, 'x'.repeat(10_000)]) expect(codec.open(madeUp, scope)).toBeUndefined();
    fc.assert(fc.property(fc.string(), (madeUp) => codec.open(madeUp, scope) === undefined));
  });
});
