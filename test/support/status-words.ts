/**
 * Every status word the providers document (and Meta's, where a provider passes Meta's status
 * through), pinned from the documents to our status — independently of the modules' own
 * `statusWords` maps, so a word mapped to a neighbouring status fails here. Each row is a real
 * callback body (the spec's documented example with the word put in), read by the provider's
 * normaliser; LiveTok's one word is its send answer's.
 */
import type { MessageStatus } from '../../src/messages/status.ts';
import { AccountConfig } from '../../src/config/accounts.ts';
import { providerModule, sendsCallbacks } from '../../src/providers/index.ts';
import { WEBHOOKS } from '../../src/providers/webhooks.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { loadSpec, requestExamples, responseExamples } from './spec.ts';

type StatusWords = Readonly<Record<string, MessageStatus | null>>;
type Body = Record<string, any>;

export interface StatusWordRow {
  provider: ProviderName;
  /** The word as the provider writes it, and where. */
  word: string;
  where: string;
  /** Our status for it; `null`: the word carries none (the body is ignored, with a reason). */
  expected: MessageStatus | null;
  /** The callback body carrying the word (none for LiveTok: its word is in the send answer). */
  body?: () => Body;
}

function example(provider: ProviderName, webhook: string, name: string): Body {
  const found = requestExamples(loadSpec(provider), webhook, 'post', 'application/json', 'webhooks').find((e) => e.name === name);
  if (!found) throw new Error(`${provider} ${webhook}: no example ${name}`);
  return structuredClone(found.value) as Body;
}

const livechat = (word: string): StatusWordRow => ({
  provider: 'livechat',
  word,
  where: 'callback data.status (Meta’s status object)',
  expected: word as MessageStatus,
  body: () => {
    const body = example('livechat', 'messageStatus', 'sent');
    body.data.status = word;
    return body;
  },
});

const kaleyra = (word: string, expected: MessageStatus): StatusWordRow => ({
  provider: 'kaleyra',
  word,
  where: 'callback status (with Meta’s word in meta_object, where Meta saw the message)',
  expected,
  body: () => {
    if (word === 'NOT-SENT') return example('kaleyra', 'messageStatus', 'notSent');
    const body = example('kaleyra', 'messageStatus', 'delivered');
    body.status = word;
    body.meta_object.value.statuses[0].status = word.toLowerCase();
    return body;
  },
});

const gupshupV2 = (word: string, expected: MessageStatus | null): StatusWordRow => ({
  provider: 'gupshup',
  word,
  where: 'v2 message-event payload.type',
  expected,
  body: () => example('gupshup', 'messageEventV2', word),
});

const gupshupV3 = (word: string, expected: MessageStatus): StatusWordRow => ({
  provider: 'gupshup',
  word,
  where: 'v3 statuses[].status (Meta’s, plus enqueued)',
  expected,
  body: () => example('gupshup', 'messageEventV3', word),
});

export const STATUS_WORD_ROWS: readonly StatusWordRow[] = [
  { provider: 'livetok', word: 'sent', where: 'send answer status (200)', expected: 'sent' },
  ...['sent', 'delivered', 'read', 'failed'].map(livechat),
  gupshupV2('enqueued', 'accepted'),
  gupshupV2('sent', 'sent'),
  gupshupV2('delivered', 'delivered'),
  gupshupV2('read', 'read'),
  gupshupV2('failed', 'failed'),
  gupshupV2('deleted', null),
  gupshupV3('enqueued', 'accepted'),
  gupshupV3('sent', 'sent'),
  gupshupV3('delivered', 'delivered'),
  gupshupV3('read', 'read'),
  gupshupV3('failed', 'failed'),
  {
    provider: 'loopwave',
    word: 'message.created (fromMe)',
    where: 'webhook event: our own message, sent from the business number',
    expected: 'sent',
    body: () => {
      const body = example('loopwave', 'message.created', 'messageCreated');
      body.data.fromMe = true;
      return body;
    },
  },
  ...['pending', 'sent', 'failed'].map(
    (word): StatusWordRow => ({
      provider: 'loopwave',
      word: `broadcast.progress ${word}`,
      where: 'broadcast recipient status (this pipeline sends no broadcasts)',
      expected: null,
      body: () => {
        const body = example('loopwave', 'broadcast.progress', 'broadcastProgress');
        body.data.recipient.status = word;
        return body;
      },
    }),
  ),
  kaleyra('SENT', 'sent'),
  kaleyra('DELIVERED', 'delivered'),
  kaleyra('READ', 'read'),
  kaleyra('FAILED', 'failed'),
  kaleyra('NOT-SENT', 'failed'),
];

/** What `row` reads as with `statusWords` (default: the provider module's): our status, or null when no event came. */
export async function statusOfRow(row: StatusWordRow, statusWords?: StatusWords): Promise<MessageStatus | null> {
  const module = providerModule(row.provider);
  const words = statusWords ?? module.statusWords;
  if (!row.body) {
    // LiveTok: the word is in the send answer; the adapter reports it.
    const [answer] = responseExamples(loadSpec(row.provider), '/v1/messages/templates', 'post', '200');
    const fetch: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ ...(answer!.value as Body), status: row.word }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    const account = AccountConfig.parse({ id: 'acme', provider: row.provider, baseUrl: 'http://127.0.0.1:9' });
    const content = { kind: 'template' as const, name: 'appointment_reminder', language: 'en_US' };
    const result = await module.adapter.send({ messageId: '01JD0000000000000000000000', recipient: '+1234567890', content }, account, {
      credential: 'k',
      fetch,
    });
    // The answer's word must map (in the module's words) to the status the adapter reports.
    const mapped = words[row.word];
    return result.outcome === 'accepted' && mapped === result.status ? mapped : null;
  }
  if (!sendsCallbacks(row.provider)) throw new Error(`${row.provider} has no webhook side`);
  const { events } = WEBHOOKS[row.provider].normalise(row.body(), {
    provider: row.provider,
    account: 'acme',
    receivedAt: new Date('2026-03-01T12:00:00.000Z'),
    statusWords: words,
  });
  if (events.length > 1) throw new Error(`${row.provider} ${row.word}: ${events.length} events`);
  return events[0]?.status ?? null;
}

/** Each row whose word does not read as the document says, with `statusWords` in place of the module's. */
export async function statusWordViolations(provider: ProviderName, statusWords?: StatusWords): Promise<string[]> {
  const violations: string[] = [];
  for (const row of STATUS_WORD_ROWS.filter((r) => r.provider === provider)) {
    const status = await statusOfRow(row, statusWords);
    if (status !== row.expected)
      violations.push(`${row.provider} '${row.word}' (${row.where}): ${String(status)}, expected ${row.expected}`);
  }
  return violations;
}
