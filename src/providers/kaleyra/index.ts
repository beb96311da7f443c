/**
 * Kaleyra: Meta's message object in Kaleyra's v2 envelope; our id travels in `extra_info.ref` and
 * comes back in its callbacks, which sign nothing (a secret token proves them).
 */
import { defineProvider } from '../define.ts';
import { META_NUMBER_LIMIT } from '../meta-limits.ts';
import { KaleyraAccount } from './account.ts';
import { kaleyraAdapter } from './adapter.ts';
import { kaleyraWebhook } from './webhook.ts';

export const kaleyra = defineProvider({
  name: 'kaleyra',
  title: 'Kaleyra',
  account: KaleyraAccount,
  credential: 'api-key',
  adapter: kaleyraAdapter,
  defaultLimits: () => META_NUMBER_LIMIT,
  // NOT-SENT: Kaleyra never handed the message to Meta.
  statusWords: { SENT: 'sent', DELIVERED: 'delivered', READ: 'read', FAILED: 'failed', 'NOT-SENT': 'failed' },
  reports: { answer: 'accepted', callbacks: ['sent', 'delivered', 'read', 'failed'] },
  documented5xxRefusals: [],
  optOutCodes: [],
  webhook: kaleyraWebhook,
});
