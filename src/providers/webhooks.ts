/**
 * The webhook side of each provider that calls back: its check (the provider module's `webhook`,
 * joined by ./webhook-sides.ts `webhookSide`) and its normaliser (src/providers/<name>/webhook.ts,
 * with the generated schemas it reads). Apart from the provider list on purpose: only what reads
 * callbacks (src/webhooks/normalise.ts, the webhook function) imports this, so no other function
 * bundles the normalisers.
 */
import type { WebhookSide } from './define.ts';
import { gupshupWebhook } from './gupshup/webhook.ts';
import type { CallingBackProvider } from './index.ts';
import { kaleyraWebhook } from './kaleyra/webhook.ts';
import { livechatWebhook } from './livechat/webhook.ts';
import { loopwaveWebhook } from './loopwave/webhook.ts';
import { webhookSide } from './webhook-sides.ts';

/** One side per provider with a webhook: one missing, or one for a provider without, fails to compile. */
export const WEBHOOKS: { readonly [P in CallingBackProvider]: WebhookSide } = {
  livechat: webhookSide('livechat', livechatWebhook),
  gupshup: webhookSide('gupshup', gupshupWebhook),
  loopwave: webhookSide('loopwave', loopwaveWebhook),
  kaleyra: webhookSide('kaleyra', kaleyraWebhook),
};
