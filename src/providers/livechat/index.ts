/**
 * LiveChat: Meta's template object under LiveChat's own send route. Its send answer carries no
 * id; its Standard Webhooks callbacks bring Meta's statuses, matched to the send by recipient.
 */
import { defineProvider } from '../define.ts';
import { lazyAdapter } from '../lazy-adapter.ts';
import { META_NUMBER_LIMIT } from '../meta-limits.ts';
import { LivechatAccount } from './account.ts';
import { livechatContent } from './content.ts';
import { verifyStandardWebhook } from '../../webhooks/schemes.ts';

export const livechat = defineProvider({
  name: 'livechat',
  title: 'LiveChat',
  account: LivechatAccount,
  credential: '<account id>:<personal access token>',
  // The send loads on first use (../lazy-adapter.ts).
  adapter: lazyAdapter(livechatContent, async () => (await import('./adapter.ts')).livechatAdapter),
  defaultLimits: () => META_NUMBER_LIMIT,
  statusWords: { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' },
  reports: { answer: 'accepted', callbacks: ['sent', 'delivered', 'read', 'failed'] },
  documented5xxRefusals: [],
  optOutCodes: [],
  pauseCodes: {},
  // Its normaliser: ./webhook.ts (src/providers/webhooks.ts).
  webhook: { verify: verifyStandardWebhook },
});
