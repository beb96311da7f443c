/**
 * Gupshup: a form-encoded template send naming the template by Gupshup's id; v2 or v3 status
 * callbacks behind a secret token.
 */
import { defineProvider } from '../define.ts';
import { lazyAdapter } from '../lazy-adapter.ts';
import { META_NUMBER_LIMIT } from '../meta-limits.ts';
import { GupshupAccount } from './account.ts';
import { gupshupContent } from './content.ts';
import { verifySecretToken } from '../../webhooks/schemes.ts';

export const gupshup = defineProvider({
  name: 'gupshup',
  title: 'Gupshup',
  account: GupshupAccount,
  credential: 'apikey',
  // The send loads on first use (../lazy-adapter.ts).
  adapter: lazyAdapter(gupshupContent, async () => (await import('./adapter.ts')).gupshupAdapter),
  defaultLimits: () => META_NUMBER_LIMIT,
  // `deleted`: the user deleted a delivered message; it carries no status of ours.
  statusWords: { enqueued: 'accepted', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', deleted: null },
  reports: { answer: 'accepted', callbacks: ['accepted', 'sent', 'delivered', 'read', 'failed'] },
  documented5xxRefusals: [],
  // 1012: the user has opted out of messages from the business.
  optOutCodes: [1012],
  // Gupshup's own codes that stop the sender (its public error list, ../shared/notes/whatsapp-facts.md):
  // 1003, the wallet is empty (every send of the account fails); 4005, the template is paused.
  pauseCodes: { 1003: 'account', 4005: 'template' },
  // Its normaliser: ./webhook.ts (src/providers/webhooks.ts).
  webhook: { verify: verifySecretToken },
});
