/**
 * API authentication: `Authorization: Bearer <api key>`. Keys are configured as SHA-256 hashes;
 * the presented key's hash is compared with each in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from '../config/pipeline.ts';

export interface Principal {
  keyId: string;
  accounts: '*' | readonly string[];
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function authenticate(authorization: string | undefined, keys: readonly ApiKeyConfig[]): Principal | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const presented = Buffer.from(hashApiKey(match[1]!), 'hex');
  let found: ApiKeyConfig | undefined;
  // Compare with every key, so the time taken does not tell which one matched.
  for (const key of keys) {
    if (timingSafeEqual(presented, Buffer.from(key.sha256, 'hex')) && !found) found = key;
  }
  return found ? { keyId: found.id, accounts: found.accounts } : undefined;
}

export function mayUse(principal: Principal, account: string): boolean {
  return principal.accounts === '*' || principal.accounts.includes(account);
}
