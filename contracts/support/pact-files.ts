/** Where the pacts live and how they are named: `<consumer>-<provider>.json` in contracts/pacts/. */
import { fileURLToPath } from 'node:url';
import type { ProviderName } from '../../src/providers/names.ts';

export const PACTS_DIR = fileURLToPath(new URL('../pacts/', import.meta.url));

/** Our HTTP clients (and, later, adapters) as the consumer of each provider's API. */
export const HTTP_CONSUMER = 'whatsapp-provider-kit';
/** Our webhook parser as the consumer of each provider's status callbacks. */
export const WEBHOOK_CONSUMER = 'whatsapp-provider-kit-webhooks';

/** Our sender as the consumer of the send queue's messages, which our accept function produces. */
export const QUEUE_CONSUMER = 'whatsapp-provider-kit-sender';
export const QUEUE_PRODUCER = 'whatsapp-provider-kit-accept';

/** The `wapk` CLI's API client as the consumer of our own HTTP API (specs/api.yaml), which the API handlers provide. */
export const CLI_CONSUMER = 'wapk-cli';
export const API_PROVIDER = 'wapk-api';

export function pactFile(consumer: string, provider: ProviderName | typeof QUEUE_PRODUCER | typeof API_PROVIDER): string {
  return `${consumer}-${provider}.json`;
}

/** `npm run pacts:update` sets this: the consumer tests then rewrite the committed pacts. */
export const UPDATE_PACTS = process.env.UPDATE_PACTS === '1';
