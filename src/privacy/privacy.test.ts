import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { payloadCipher } from './payload-cipher.ts';
import { maskPhone, recipientRef } from './recipient.ts';

describe('recipient privacy', () => {
  it('hashes a number under the key: stable for one key, different under another, never the digits', () => {
    const a = recipientRef('k'.repeat(32), '+919812345678');
    expect(a).toEqual(recipientRef('k'.repeat(32), '+919812345678'));
    expect(a.hash).not.toBe(recipientRef('j'.repeat(32), '+919812345678').hash);
    expect(a.last4).toBe('5678');
    expect(a.hash).not.toContain('9812345678');
  });

  it('masks all but the country prefix and the last four digits', () => {
    expect(maskPhone('+919812345678')).toBe('+91••••••5678');
  });

  it('seals and opens a payload; a tampered one does not open', () => {
    const cipher = payloadCipher(randomBytes(32).toString('base64'));
    const sealed = cipher.seal('{"recipient":"+919812345678"}');
    expect(sealed).not.toContain('9812345678');
    expect(cipher.open(sealed)).toBe('{"recipient":"+919812345678"}');
    const tampered = Buffer.from(sealed, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.open(tampered.toString('base64'))).toThrow();
    expect(() => payloadCipher('short')).toThrow(/32 bytes/);
  });
});
