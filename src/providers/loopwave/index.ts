/**
 * Loopwave: a self-hosted WhatsApp gateway that sends text (no templates). Its 202 says `sent`;
 * its signed `message.created` webhook says no more, and is matched to the send by recipient.
 */
import { defineProvider } from '../define.ts';
import { lazyAdapter } from '../lazy-adapter.ts';
import { LoopwaveAccount } from './account.ts';
import { loopwaveContent } from './content.ts';
import { verifyHexHmacHeader } from '../../webhooks/schemes.ts';

export const loopwave = defineProvider({
  name: 'loopwave',
  title: 'Loopwave',
  account: LoopwaveAccount,
  credential: 'lw_live_… API key with messages:write',
  // The send loads on first use (../lazy-adapter.ts).
  adapter: lazyAdapter(loopwaveContent, async () => (await import('./adapter.ts')).loopwaveAdapter),
  // 120 requests per minute per key (a fixed 60 s window).
  defaultLimits: () => [{ limit: 120, windowMs: 60 * 1000 }],
  // The 202 of a send says `sent`; broadcast recipients are pending, sent or failed.
  statusWords: { pending: 'accepted', sent: 'sent', failed: 'failed' },
  // `message.created` says no more than `sent` (its `failed` is for broadcast recipients, which this pipeline does not send).
  reports: { answer: 'sent', callbacks: ['sent'] },
  documented5xxRefusals: [],
  optOutCodes: [],
  pauseCodes: {},
  // Its normaliser: ./webhook.ts (src/providers/webhooks.ts).
  webhook: { verify: (request, secrets) => verifyHexHmacHeader('x-loopwave-signature', request, secrets) },
});
