/**
 * Reading one callback with its provider's webhook side in hand: what ./normalise.ts does for
 * every provider at once, for the webhook function, which loads a provider's side (normaliser and
 * generated schemas) on its first callback (src/providers/webhook-sides.ts).
 */
import { StatusEvent } from '../messages/status-event.ts';
import type { WebhookSide } from '../providers/define.ts';
import { providerModule } from '../providers/index.ts';
import type { ProviderName } from '../providers/names.ts';
import {
  type CallbackReading,
  type Drift,
  safePath,
  schemaViolation,
  UNKNOWN_FIELD_RULE,
  UNKNOWN_WORD_RULE,
  unknownFields,
} from './drift.ts';
import { MalformedWebhookError, type Normalised, type NormaliseContext } from './kit.ts';

/**
 * The status events in one webhook body of `provider`, read by its webhook side (`undefined`: a
 * provider without status webhooks). As normaliseWebhook (./normalise.ts) describes.
 * @throws MalformedWebhookError when the body breaks the provider's spec, or for a provider without status webhooks (LiveTok).
 */
export function normaliseWith(
  side: WebhookSide | undefined,
  provider: ProviderName,
  account: string,
  body: unknown,
  receivedAt: Date = new Date(),
  observe: Pick<NormaliseContext, 'unknownWord'> = {},
): Normalised {
  if (account.length === 0) throw new TypeError('normaliseWebhook: account must not be empty');
  if (Number.isNaN(receivedAt.getTime())) throw new TypeError('normaliseWebhook: receivedAt is not a valid date');
  const module = providerModule(provider);
  if (!side) throw new MalformedWebhookError(provider, [{ field: '(body)', rule: `${module.title} sends no status webhooks` }]);
  const result = side.normalise(body, { provider, account, receivedAt, statusWords: module.statusWords, ...observe });
  // The output contract, checked: a mapping bug fails here rather than in the store.
  return { events: result.events.map((event) => StatusEvent.parse(event)), ignored: result.ignored };
}

/**
 * Normalises `body` (once) and says how it departs from the provider's spec (./drift.ts). Throws
 * only what normaliseWith throws besides MalformedWebhookError.
 */
export function readCallbackWith(
  side: WebhookSide | undefined,
  provider: ProviderName,
  account: string,
  body: unknown,
  receivedAt: Date,
): CallbackReading {
  const words: string[] = [];
  let read: { normalised: Normalised } | { error: MalformedWebhookError };
  try {
    read = { normalised: normaliseWith(side, provider, account, body, receivedAt, { unknownWord: (path) => words.push(path) }) };
  } catch (error) {
    if (!(error instanceof MalformedWebhookError)) throw error;
    read = { error };
  }
  const drift: Drift[] = [
    ...('error' in read ? read.error.issues.map(schemaViolation) : []),
    ...words.map((path): Drift => ({ kind: 'unknown_status_word', path: safePath(path), rule: UNKNOWN_WORD_RULE })),
    ...(side ? unknownFields(side.specSchema(body), body) : []).map(
      (path): Drift => ({ kind: 'unknown_field', path, rule: UNKNOWN_FIELD_RULE }),
    ),
  ];
  return { ...read, drift };
}
