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
 */
import { StatusEvent } from '../messages/status-event.ts';
import { providerModule, sendsCallbacks } from '../providers/index.ts';
import { WEBHOOKS } from '../providers/webhooks.ts';
import type { ProviderName } from '../providers/names.ts';
import { MalformedWebhookError, type Normalised, type NormaliseContext } from './kit.ts';

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
  if (account.length === 0) throw new TypeError('normaliseWebhook: account must not be empty');
  if (Number.isNaN(receivedAt.getTime())) throw new TypeError('normaliseWebhook: receivedAt is not a valid date');
  const module = providerModule(provider);
  if (!sendsCallbacks(provider))
    throw new MalformedWebhookError(provider, [{ field: '(body)', rule: `${module.title} sends no status webhooks` }]);
  const result = WEBHOOKS[provider].normalise(body, { provider, account, receivedAt, statusWords: module.statusWords, ...observe });
  // The output contract, checked: a mapping bug fails here rather than in the store.
  return { events: result.events.map((event) => StatusEvent.parse(event)), ignored: result.ignored };
}
