/**
 * Status webhooks, normalised: each provider's body is read by its normaliser
 * (src/providers/<name>/webhook.ts, built from src/webhooks/kit.ts; listed in src/providers/webhooks.ts) with its spec's generated zod
 * schema and turned into the pipeline's {@link StatusEvent}s. Pure: no clock unless the body has
 * no time of its own (then `receivedAt`), no I/O, and nothing from the body in error messages.
 *
 * One relaxation of the generated schemas: the status word. The specs list the words they know
 * as enums; a word added later by Meta or a provider is not a malformed body, so it is read as
 * any non-empty string and reported in `ignored` (a rejected webhook is retried, and a retried
 * body stays the same). Every other rule of the spec schemas applies unchanged.
 *
 * One tightening: what an event carries is bounded, so it always fits the store. A provider id or
 * recipient longer than MAX_PROVIDER_ID_LENGTH characters is a malformed body (the issue
 * names the field); provider text (error titles and details, pricing words) is cut to
 * MAX_PROVIDER_TEXT_LENGTH characters.
 *
 * These take each provider's webhook side from src/providers/webhooks.ts (every normaliser, at
 * import); the webhook function loads only the side of the provider calling (./read.ts,
 * src/providers/webhook-sides.ts).
 */
import type { ProviderName } from '../providers/names.ts';
import { sendsCallbacks } from '../providers/index.ts';
import { WEBHOOKS } from '../providers/webhooks.ts';
import type { NormaliseContext, Normalised } from './kit.ts';
import type { CallbackReading } from './drift.ts';
import { normaliseWith, readCallbackWith } from './read.ts';

export { MalformedWebhookError, type Normalised } from './kit.ts';

/**
 * The status events in one webhook body of `provider`, for `account`. `receivedAt` stands in
 * for the time of a status whose body carries none (Kaleyra's NOT-SENT). `observe.unknownWord`
 * is told where the body carries a word the provider's module or spec does not know (drift.ts).
 * @throws MalformedWebhookError when the body breaks the provider's spec, or for a provider without status webhooks (LiveTok).
 */
export function normaliseWebhook(
  provider: ProviderName,
  account: string,
  body: unknown,
  receivedAt: Date = new Date(),
  observe: Pick<NormaliseContext, 'unknownWord'> = {},
): Normalised {
  return normaliseWith(sendsCallbacks(provider) ? WEBHOOKS[provider] : undefined, provider, account, body, receivedAt, observe);
}

/**
 * Normalises `body` (once) and says how it departs from the provider's spec (drift.ts). Throws
 * only what normaliseWebhook throws besides MalformedWebhookError.
 */
export function readCallback(provider: ProviderName, account: string, body: unknown, receivedAt: Date): CallbackReading {
  return readCallbackWith(sendsCallbacks(provider) ? WEBHOOKS[provider] : undefined, provider, account, body, receivedAt);
}
