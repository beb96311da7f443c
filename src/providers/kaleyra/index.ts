/**
 * Kaleyra: Meta's message object in Kaleyra's v2 envelope; our id travels in `extra_info.ref` and
 * comes back in its callbacks, which sign nothing (a secret token proves them).
 */
import { defineProvider } from '../define.ts';
import { lazyAdapter } from '../lazy-adapter.ts';
import { META_NUMBER_LIMIT } from '../meta-limits.ts';
import { KaleyraAccount } from './account.ts';
import { kaleyraContent } from './content.ts';
import { verifySecretToken } from '../../webhooks/schemes.ts';

export const kaleyra = defineProvider({
  name: 'kaleyra',
  title: 'Kaleyra',
  account: KaleyraAccount,
  credential: 'api-key',
  // The send loads on first use (../lazy-adapter.ts).
  adapter: lazyAdapter(kaleyraContent, async () => (await import('./adapter.ts')).kaleyraAdapter),
  defaultLimits: () => META_NUMBER_LIMIT,
  // NOT-SENT: Kaleyra never handed the message to Meta.
  statusWords: { SENT: 'sent', DELIVERED: 'delivered', READ: 'read', FAILED: 'failed', 'NOT-SENT': 'failed' },
  reports: { answer: 'accepted', callbacks: ['sent', 'delivered', 'read', 'failed'] },
  documented5xxRefusals: [],
  optOutCodes: [],
  pauseCodes: {},
  // Its normaliser: ./webhook.ts (src/providers/webhooks.ts).
  webhook: { verify: verifySecretToken },
});
