/**
 * The webhook side of each provider that calls back (./webhooks.ts lists them), loaded on first
 * use: the webhook function imports a provider's normaliser and the generated schemas it reads
 * with the first callback from that provider, not at its cold start — as the sender loads a
 * provider's sending part (./lazy-adapter.ts). Code that reads callbacks synchronously (tests,
 * the bench, the contract tests) takes them from ./webhooks.ts.
 */
import { InternalError } from '../errors.ts';
import type { WebhookReader, WebhookSide } from './define.ts';
import { providerModule, type CallingBackProvider } from './index.ts';

/**
 * `provider`'s side: its module's check with the normaliser of its `<name>/webhook.ts`. The check
 * is joined here, not imported by the normaliser's module: that module then shares nothing with
 * the function's entry but what every function loads, so the webhook bundle's entry keeps the
 * provider modules instead of a chunk per provider to load at import (issue 19).
 */
export function webhookSide(provider: CallingBackProvider, reader: WebhookReader): WebhookSide {
  const check = providerModule(provider).webhook;
  // Unreachable: a calling-back provider is one whose module has a check (./index.ts sendsCallbacks).
  if (!check) throw new InternalError(`${provider} has a webhook normaliser but no check`);
  return { verify: check.verify, normalise: reader.normalise, specSchema: reader.specSchema };
}

/** One loader per provider with a webhook: one missing, or one for a provider without, fails to compile. */
const LOADERS: { readonly [P in CallingBackProvider]: () => Promise<WebhookReader> } = {
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
    side = LOADERS[provider]().then(
      (reader) => webhookSide(provider, reader),
      (error: unknown) => {
        loading.delete(provider);
        throw error;
      },
    );
    loading.set(provider, side);
  }
  return side;
}
