/**
 * The webhook side of each provider that calls back (./webhooks.ts lists them), loaded on first
 * use: the webhook function imports a provider's normaliser and the generated schemas it reads
 * with the first callback from that provider, not at its cold start — as the sender loads a
 * provider's sending part (./lazy-adapter.ts). Code that reads callbacks synchronously (tests,
 * the bench, the contract tests) takes them from ./webhooks.ts.
 */
import type { WebhookSide } from './define.ts';
import type { CallingBackProvider } from './index.ts';

/** One loader per provider with a webhook: one missing, or one for a provider without, fails to compile. */
const LOADERS: { readonly [P in CallingBackProvider]: () => Promise<WebhookSide> } = {
  livechat: async () => (await import('./livechat/webhook.ts')).livechatWebhook,
  gupshup: async () => (await import('./gupshup/webhook.ts')).gupshupWebhook,
  loopwave: async () => (await import('./loopwave/webhook.ts')).loopwaveWebhook,
  kaleyra: async () => (await import('./kaleyra/webhook.ts')).kaleyraWebhook,
};

const loading = new Map<CallingBackProvider, Promise<WebhookSide>>();

/** `provider`'s webhook side, loaded once; a failed load (never expected: the module is in the bundle) is tried again next time. */
export function loadWebhookSide(provider: CallingBackProvider): Promise<WebhookSide> {
  let side = loading.get(provider);
  if (!side) {
    side = LOADERS[provider]().catch((error: unknown) => {
      loading.delete(provider);
      throw error;
    });
    loading.set(provider, side);
  }
  return side;
}
