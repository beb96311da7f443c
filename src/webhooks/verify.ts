/**
 * Authenticity checks for provider status webhooks (`POST /v1/webhooks/{provider}/{account}[/{token}]`):
 * each provider module names its scheme (src/webhooks/schemes.ts) in `webhook.verify`; a provider
 * without status webhooks (LiveTok) has none, so every request for it is rejected.
 *
 * Never throws, and no reason ever carries a secret, a signature, a token or the body.
 */
import { findProvider } from '../providers/index.ts';
import { reject, STANDARD_WEBHOOKS_TOLERANCE_SECONDS } from './schemes.ts';
import type { WebhookRequest, Verdict } from './types.ts';

/** LiveChat signs with Standard Webhooks: its tolerance. */
export const LIVECHAT_TOLERANCE_SECONDS = STANDARD_WEBHOOKS_TOLERANCE_SECONDS;

export function verifyWebhook(request: WebhookRequest, secrets: readonly string[], now?: Date): Verdict {
  try {
    if (request === null || typeof request !== 'object') return reject('malformed webhook request');
    // Reachable only with untyped input; the provider name is not echoed back.
    const provider = typeof request.provider === 'string' ? findProvider(request.provider) : undefined;
    if (!provider) return reject('unknown webhook provider');
    // Before the secrets check: a provider without status webhooks has none, whatever is configured.
    if (!provider.webhook) return reject(`${provider.name} sends no status webhooks`);

    const usable = Array.isArray(secrets) ? secrets.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
    if (usable.length === 0) return reject('no webhook secret is configured for this account');
    return provider.webhook.verify(request, usable, now ?? new Date());
  } catch {
    // Belt and braces: nothing above should throw, but a verdict must always come back.
    return reject('webhook could not be verified');
  }
}
