/**
 * LiveTok: its own flat dialect over WhatsApp. It answers a send with `sent` and reports nothing
 * after: no status callbacks.
 */
import { defineProvider } from '../define.ts';
import { lazyAdapter } from '../lazy-adapter.ts';
import { LivetokAccount } from './account.ts';
import { LIVETOK_5XX_REFUSALS, livetokContent } from './content.ts';

const HOUR_MS = 3600 * 1000;

export const livetok = defineProvider({
  name: 'livetok',
  title: 'LiveTok',
  account: LivetokAccount,
  credential: 'API key (Bearer)',
  // The send loads on first use (../lazy-adapter.ts).
  adapter: lazyAdapter(livetokContent, async () => (await import('./adapter.ts')).livetokAdapter),
  // 1,000 requests/hour (Free), 10,000 (Pro); Enterprise limits are custom (configure them).
  defaultLimits: (account) =>
    account.plan === 'enterprise' ? [] : [{ limit: account.plan === 'pro' ? 10_000 : 1_000, windowMs: HOUR_MS }],
  // LiveTok's synchronous answer is the only status it reports.
  statusWords: { sent: 'sent' },
  reports: { answer: 'sent', callbacks: [] },
  documented5xxRefusals: LIVETOK_5XX_REFUSALS,
  optOutCodes: [],
  pauseCodes: {},
  webhook: null,
});
