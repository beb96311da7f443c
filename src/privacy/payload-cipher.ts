/**
 * Sealing a queue message body while it waits in the table (every unclaimed message, for the sweeper),
 * since it carries the full phone number: AES-256-GCM under the deployment's payload key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.ts';

export interface PayloadCipher {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** `key` is 32 bytes, base64-encoded (`openssl rand -base64 32`). */
export function payloadCipher(key: string): PayloadCipher {
  const secret = Buffer.from(key, 'base64');
  if (secret.length !== 32) throw new ConfigError('the payload key must be 32 bytes, base64-encoded');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
