import { describe, expect, it } from 'vitest';
import { StatusEvent } from '../messages/status-event.ts';
import type { ProviderName } from '../providers/names.ts';
import { loadSpec, requestExamples } from '../../test/support/spec.ts';
import { MalformedWebhookError, normaliseWebhook, type Normalised } from './normalise.ts';

const ACCOUNT = 'acct-main';
const RECEIVED_AT = new Date('2026-03-01T12:00:00.000Z');
const ULID = '01JQ7ZK3M4N5P6Q7R8S9T0VWXY';

/** Test fixtures, edited freely. */
type Body = Record<string, any>;

/** The documented example `name` of `webhook`, deep-copied so a test can edit it. */
function example(provider: ProviderName, webhook: string, name: string): Body {
  const found = requestExamples(loadSpec(provider), webhook, 'post', 'application/json', 'webhooks').find((e) => e.name === name);
  if (!found) throw new Error(`${provider} ${webhook}: no example ${name}`);
  return structuredClone(found.value) as Body;
}

function normalise(provider: ProviderName, body: unknown): Normalised {
  const result = normaliseWebhook(provider, ACCOUNT, body, RECEIVED_AT);
  for (const event of result.events) expect(StatusEvent.safeParse(event).error).toBeUndefined();
  return result;
}

/** The single event of a body that must carry exactly one. */
function only(provider: ProviderName, body: unknown): StatusEvent {
  const { events, ignored } = normalise(provider, body);
  expect(ignored).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function malformed(provider: ProviderName, body: unknown): MalformedWebhookError {
  try {
    normaliseWebhook(provider, ACCOUNT, body, RECEIVED_AT);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedWebhookError);
    const malformedError = error as MalformedWebhookError;
    expect(malformedError.name).toBe('MalformedWebhookError');
    for (const issue of malformedError.issues) expect(Object.keys(issue).sort()).toEqual(['field', 'rule']);
    return malformedError;
  }
  throw new Error(`expected a MalformedWebhookError from ${provider}`);
}

const fields = (error: MalformedWebhookError) => error.issues.map((issue) => issue.field);

// ---------------------------------------------------------------------------------------------
// Every documented webhook example, with what it must normalise to.

const LC_WAMID = 'wamid.HBgLNDg2MDk2NTU5MTEVAgARGBJGOERCNzY1MTdBQUE4REM3RUMA';
const LC_FAILED_WAMID = 'wamid.HBgMNDg2MDk2NTU5MTExFQIAERgSMTQ4MUY0NkZBQzQwQzYxMDNBAA==';
const GS_ID = 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35';
const GS_WA_ID = 'gBEGkYiEB1VXAglK1ZEqA1YKPrU';
const GS_V3_WAMID = 'wamid.HBgMOTE5MTYzODA1ODczFQIAERgSNkZCMThGMEEwQzJDOUFGQjFBAA==';
const KL_ID = 'AXXXXXXXXXXXXXXXXXXX';
const KL_WAMID = 'wamid.HBgMOTE5MDAwMDEyMzQ1FQIAERgSNzBDMEU4QjhGRDM3QzQ0RjFCAA==';

const lc = (event: Omit<StatusEvent, 'provider' | 'account'>): StatusEvent => ({ provider: 'livechat', account: ACCOUNT, ...event });
const gs = (event: Omit<StatusEvent, 'provider' | 'account'>): StatusEvent => ({ provider: 'gupshup', account: ACCOUNT, ...event });
const kl = (event: Omit<StatusEvent, 'provider' | 'account'>): StatusEvent => ({ provider: 'kaleyra', account: ACCOUNT, ...event });
const one = (event: StatusEvent): Normalised => ({ events: [event], ignored: [] });
const none = (...ignored: string[]): Normalised => ({ events: [], ignored });

const gsV2 = (status: StatusEvent['status'], at: string, extra: Partial<StatusEvent> = {}) =>
  one(gs({ providerMessageId: GS_ID, providerAliases: [GS_WA_ID], status, at, recipient: '917839xxxxx3', ...extra }));
const gsV3 = (status: StatusEvent['status'], at: string, extra: Partial<StatusEvent> = {}) =>
  one(gs({ providerMessageId: GS_ID, providerAliases: [GS_V3_WAMID], status, at, recipient: '917839xxxxx3', ...extra }));

const DOCUMENTED: Array<{ provider: ProviderName; webhook: string; expected: Record<string, Normalised> }> = [
  {
    provider: 'livechat',
    webhook: 'messageStatus',
    expected: {
      sent: one(
        lc({
          providerMessageId: LC_WAMID,
          status: 'sent',
          at: '2024-10-02T09:50:37.000Z',
          recipient: '48635625362',
          pricing: { billable: true, model: 'CBP', category: 'marketing' },
        }),
      ),
      delivered: one(
        lc({
          providerMessageId: LC_WAMID,
          status: 'delivered',
          at: '2024-10-02T09:50:37.000Z',
          recipient: '48635625362',
          pricing: { billable: true, model: 'CBP', category: 'marketing' },
        }),
      ),
      read: one(lc({ providerMessageId: LC_WAMID, status: 'read', at: '2024-10-02T09:50:52.000Z', recipient: '48635625362' })),
      failed: one(
        lc({
          providerMessageId: LC_FAILED_WAMID,
          status: 'failed',
          at: '2024-10-02T10:13:40.000Z',
          recipient: '48635625362',
          // error_data.details wins over message.
          error: { code: 131026, title: 'Message undeliverable', message: 'Message Undeliverable.' },
        }),
      ),
    },
  },
  {
    provider: 'gupshup',
    webhook: 'messageEventV2',
    expected: {
      // Envelope timestamp, in ms.
      enqueued: gsV2('accepted', '2022-02-15T07:43:20.123Z'),
      failed: gsV2('failed', '2022-02-15T07:43:22.456Z', { error: { code: 1002, message: 'Number Does Not Exists On WhatsApp' } }),
      // Inner ts, in seconds.
      sent: gsV2('sent', '2022-02-15T07:43:21.000Z'),
      delivered: gsV2('delivered', '2022-02-15T07:43:23.000Z'),
      // More than a week late, no gsId: the WhatsApp id is the only id.
      read: one(gs({ providerMessageId: GS_WA_ID, status: 'read', at: '2022-02-23T07:06:40.000Z', recipient: '917839xxxxx3' })),
      deleted: none('gupshup deleted'),
    },
  },
  {
    provider: 'gupshup',
    webhook: 'messageEventV3',
    expected: {
      // Integer ms on enqueued, string seconds on the others.
      enqueued: gsV3('accepted', '2022-02-15T07:43:20.123Z'),
      sent: gsV3('sent', '2022-02-15T07:43:21.000Z', { pricing: { billable: true, model: 'PMP', category: 'marketing', type: 'regular' } }),
      delivered: gsV3('delivered', '2022-02-15T07:43:23.000Z'),
      read: gsV3('read', '2022-02-15T07:44:20.000Z'),
      failed: gsV3('failed', '2022-02-15T07:43:22.000Z', {
        error: { code: 131026, title: 'Message undeliverable', message: 'Message Undeliverable.' },
      }),
    },
  },
  {
    provider: 'kaleyra',
    webhook: 'messageStatus',
    expected: {
      delivered: one(
        kl({
          providerMessageId: KL_ID,
          providerAliases: [KL_WAMID],
          status: 'delivered',
          at: '2024-10-02T09:50:37.000Z',
          recipient: '919000012345',
          pricing: { billable: true, model: 'Conversation-Based Pricing', category: 'marketing' },
        }),
      ),
      failed: one(
        kl({
          providerMessageId: KL_ID,
          providerAliases: [KL_WAMID],
          status: 'failed',
          at: '2024-10-02T10:13:40.000Z',
          recipient: '919000012345',
          error: { code: 131026, title: 'Message undeliverable' },
        }),
      ),
      // Never reached Meta: no time in the body, so the time of receipt.
      notSent: one(
        kl({
          providerMessageId: KL_ID,
          status: 'failed',
          at: RECEIVED_AT.toISOString(),
          error: { message: 'Kaleyra did not hand the message to WhatsApp (NOT-SENT)' },
        }),
      ),
    },
  },
  { provider: 'loopwave', webhook: 'message.created', expected: { messageCreated: none('loopwave inbound message') } },
  {
    provider: 'loopwave',
    webhook: 'broadcast.progress',
    expected: { broadcastProgress: none('loopwave broadcast progress: this pipeline sends no broadcasts') },
  },
];

describe('documented webhook examples', () => {
  for (const { provider, webhook, expected } of DOCUMENTED) {
    const examples = requestExamples(loadSpec(provider), webhook, 'post', 'application/json', 'webhooks');

    it(`${provider} ${webhook}: every example has an expectation`, () => {
      expect(examples.map((e) => e.name).sort()).toEqual(Object.keys(expected).sort());
    });

    for (const { name, value } of examples) {
      it(`${provider} ${webhook} ${name}`, () => {
        expect(normalise(provider, value)).toEqual(expected[name]);
      });
    }
  }

  it('covers every provider with status webhooks', () => {
    expect([...new Set(DOCUMENTED.map((d) => d.provider))].sort()).toEqual(['gupshup', 'kaleyra', 'livechat', 'loopwave']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('LiveChat', () => {
  it('keeps per-message pricing (PMP) and its type as well as CBP', () => {
    const body = example('livechat', 'messageStatus', 'sent');
    body.data.pricing = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' };
    expect(only('livechat', body).pricing).toEqual({ billable: true, model: 'PMP', category: 'utility', type: 'regular' });
    expect(only('livechat', example('livechat', 'messageStatus', 'sent')).pricing?.model).toBe('CBP');
  });

  it('takes a business-scoped user id as the recipient when there is no phone number', () => {
    const body = example('livechat', 'messageStatus', 'delivered');
    delete body.data.recipient_id;
    body.data.recipient_user_id = 'US.13491208655302741918';
    expect(only('livechat', body).recipient).toBe('US.13491208655302741918');
  });

  it('prefers the phone number when both are given', () => {
    const body = example('livechat', 'messageStatus', 'delivered');
    body.data.recipient_user_id = 'US.13491208655302741918';
    expect(only('livechat', body).recipient).toBe('48635625362');
  });

  it('reads our message id from biz_opaque_callback_data only when it is a ULID', () => {
    const ours = example('livechat', 'messageStatus', 'read');
    ours.data.biz_opaque_callback_data = ULID;
    expect(only('livechat', ours).messageId).toBe(ULID);

    const theirs = example('livechat', 'messageStatus', 'read');
    theirs.data.biz_opaque_callback_data = 'campaign-42';
    expect(only('livechat', theirs)).not.toHaveProperty('messageId');
  });

  it('takes the timestamp as Unix seconds, string or integer', () => {
    const body = example('livechat', 'messageStatus', 'read');
    body.data.timestamp = '1727862652';
    expect(only('livechat', body).at).toBe('2024-10-02T09:50:52.000Z');
  });

  it('takes the error message when there are no details', () => {
    const body = example('livechat', 'messageStatus', 'failed');
    body.data.errors = [{ code: 131047, title: 'Re-engagement message', message: 'More than 24 hours have passed' }];
    expect(only('livechat', body).error).toEqual({
      code: 131047,
      title: 'Re-engagement message',
      message: 'More than 24 hours have passed',
    });
  });

  it('ignores a status word it does not know instead of throwing', () => {
    const body = example('livechat', 'messageStatus', 'read');
    body.data.status = 'warning';
    expect(normalise('livechat', body)).toEqual(none("livechat unknown status word 'warning'"));
  });

  it('rejects a body without data.status, naming the field and no value', () => {
    const body = example('livechat', 'messageStatus', 'sent');
    delete body.data.status;
    const error = malformed('livechat', body);
    expect(fields(error)).toEqual(['data.status']);
    expect(error.message).toContain('data.status');
    expect(JSON.stringify([error.message, error.issues])).not.toContain('48635625362');
  });

  it('rejects a wrong envelope type', () => {
    const body = example('livechat', 'messageStatus', 'sent');
    body.type = 'message.received';
    expect(fields(malformed('livechat', body))).toEqual(['type']);
  });

  it('rejects a timestamp that is no Unix time in seconds', () => {
    const body = example('livechat', 'messageStatus', 'sent');
    body.data.timestamp = 1727862637000000;
    expect(fields(malformed('livechat', body))).toEqual(['data.timestamp']);
  });

  it('rejects a body that is not an object', () => {
    expect(fields(malformed('livechat', null))).toEqual(['(body)']);
    expect(fields(malformed('livechat', '{"type":"message.status"}'))).toEqual(['(body)']);
  });
});

describe('Gupshup v2 (message-event)', () => {
  it('keys enqueued by payload.id and keeps the WhatsApp id as an alias', () => {
    const event = only('gupshup', example('gupshup', 'messageEventV2', 'enqueued'));
    expect(event.providerMessageId).toBe(GS_ID);
    expect(event.providerAliases).toEqual([GS_WA_ID]);
    expect(event.status).toBe('accepted');
  });

  it('keys delivered by gsId, not by the WhatsApp id in payload.id', () => {
    const event = only('gupshup', example('gupshup', 'messageEventV2', 'delivered'));
    expect(event.providerMessageId).toBe(GS_ID);
    expect(event.providerAliases).toEqual([GS_WA_ID]);
  });

  it('falls back to payload.id for a delivered more than a week late (no gsId)', () => {
    const body = example('gupshup', 'messageEventV2', 'delivered');
    delete body.payload.gsId;
    const event = only('gupshup', body);
    expect(event.providerMessageId).toBe(GS_WA_ID);
    expect(event).not.toHaveProperty('providerAliases');
    expect(event.at).toBe('2022-02-15T07:43:23.000Z');
  });

  it('keys a synchronous failure (no gsId) by payload.id, Gupshup’s own id', () => {
    const body = example('gupshup', 'messageEventV2', 'failed');
    body.payload.id = GS_ID;
    delete body.payload.gsId;
    const event = only('gupshup', body);
    expect(event).toEqual(
      gs({
        providerMessageId: GS_ID,
        status: 'failed',
        at: '2022-02-15T07:43:22.456Z',
        recipient: '917839xxxxx3',
        error: { code: 1002, message: 'Number Does Not Exists On WhatsApp' },
      }),
    );
  });

  it('ignores an event type the spec does not list', () => {
    const body = example('gupshup', 'messageEventV2', 'sent');
    body.payload.type = 'mystery';
    expect(normalise('gupshup', body)).toEqual(none("gupshup unknown status word 'mystery'"));
  });

  it('rejects a delivery without its inner ts, naming the field', () => {
    const body = example('gupshup', 'messageEventV2', 'delivered');
    delete body.payload.payload.ts;
    expect(fields(malformed('gupshup', body))).toEqual(['payload.payload.ts']);
  });

  it('rejects an enqueued without the WhatsApp id', () => {
    const body = example('gupshup', 'messageEventV2', 'enqueued');
    body.payload.payload = {};
    expect(fields(malformed('gupshup', body))).toEqual(['payload.payload.whatsappMessageId']);
  });

  it('rejects a body without an event type', () => {
    const body = example('gupshup', 'messageEventV2', 'sent');
    delete body.payload.type;
    expect(fields(malformed('gupshup', body))).toEqual(['payload.type']);
  });

  it('rejects an empty message id', () => {
    const body = example('gupshup', 'messageEventV2', 'enqueued');
    body.payload.id = '';
    expect(fields(malformed('gupshup', body))).toEqual(['payload.id']);
  });
});

describe('Gupshup v3 (Meta envelope)', () => {
  it('keys by gs_id with the wamid as alias, and by the wamid alone without gs_id', () => {
    const body = example('gupshup', 'messageEventV3', 'delivered');
    expect(only('gupshup', body).providerMessageId).toBe(GS_ID);
    delete body.entry[0].changes[0].value.statuses[0].gs_id;
    const late = only('gupshup', body);
    expect(late.providerMessageId).toBe(GS_V3_WAMID);
    expect(late).not.toHaveProperty('providerAliases');
  });

  it('reads a timestamp as ms or seconds by its size, integer or string', () => {
    const body = example('gupshup', 'messageEventV3', 'read');
    const status = body.entry[0].changes[0].value.statuses[0];
    status.timestamp = 1644911060;
    expect(only('gupshup', body).at).toBe('2022-02-15T07:44:20.000Z');
    status.timestamp = '1644911060789';
    expect(only('gupshup', body).at).toBe('2022-02-15T07:44:20.789Z');
  });

  it('gives one event per status, across entries and changes', () => {
    const body = example('gupshup', 'messageEventV3', 'sent');
    const delivered = example('gupshup', 'messageEventV3', 'delivered').entry[0].changes[0];
    body.entry[0].changes.push(delivered);
    body.entry.push(example('gupshup', 'messageEventV3', 'read').entry[0]);
    expect(normalise('gupshup', body).events.map((e) => e.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('ignores an unknown status and keeps the known ones of the same body', () => {
    const body = example('gupshup', 'messageEventV3', 'sent');
    const statuses = body.entry[0].changes[0].value.statuses;
    statuses.push({ ...statuses[0], status: 'pending' });
    const { events, ignored } = normalise('gupshup', body);
    expect(events.map((e) => e.status)).toEqual(['sent']);
    expect(ignored).toEqual(["gupshup unknown status word 'pending'"]);
  });

  it('reads our message id from biz_opaque_callback_data', () => {
    const body = example('gupshup', 'messageEventV3', 'sent');
    body.entry[0].changes[0].value.statuses[0].biz_opaque_callback_data = ULID;
    expect(only('gupshup', body).messageId).toBe(ULID);
  });

  it('rejects a change without statuses, naming the field', () => {
    const body = example('gupshup', 'messageEventV3', 'sent');
    delete body.entry[0].changes[0].value.statuses;
    expect(fields(malformed('gupshup', body))).toEqual(['entry.0.changes.0.value.statuses']);
  });

  it('rejects an out-of-range timestamp, naming the status', () => {
    const body = example('gupshup', 'messageEventV3', 'sent');
    body.entry[0].changes[0].value.statuses[0].timestamp = '99999999999999999';
    expect(fields(malformed('gupshup', body))).toEqual(['entry.0.changes.0.value.statuses.0.timestamp']);
  });
});

describe('Kaleyra', () => {
  it('maps NOT-SENT to failed, at the time of receipt', () => {
    const event = only('kaleyra', example('kaleyra', 'messageStatus', 'notSent'));
    expect(event.status).toBe('failed');
    expect(event.at).toBe('2026-03-01T12:00:00.000Z');
    expect(event.providerMessageId).toBe(KL_ID);
  });

  it('reads our message id from extra_info.ref when it is a ULID', () => {
    const body = example('kaleyra', 'messageStatus', 'delivered');
    body.extra_info.ref = ULID;
    expect(only('kaleyra', body).messageId).toBe(ULID);
    expect(only('kaleyra', example('kaleyra', 'messageStatus', 'delivered'))).not.toHaveProperty('messageId');
  });

  it('keeps Kaleyra’s own extra_info.message_id when it differs from message_id', () => {
    const body = example('kaleyra', 'messageStatus', 'delivered');
    body.extra_info.message_id = 'AYYYYYYYYYYYYYYYYYYY';
    expect(only('kaleyra', body).providerAliases).toEqual(['AYYYYYYYYYYYYYYYYYYY', KL_WAMID]);
  });

  it('takes a business-scoped user id from the status object', () => {
    const body = example('kaleyra', 'messageStatus', 'delivered');
    const status = body.meta_object.value.statuses[0];
    delete status.recipient_id;
    status.recipient_user_id = 'IN.88123456789012345';
    expect(only('kaleyra', body).recipient).toBe('IN.88123456789012345');
  });

  it('ignores an unknown status word, and never echoes a number as one', () => {
    const body = example('kaleyra', 'messageStatus', 'notSent');
    body.status = 'QUEUED';
    expect(normalise('kaleyra', body)).toEqual(none("kaleyra unknown status word 'QUEUED'"));
    body.status = '+919000012345';
    const { ignored } = normalise('kaleyra', body);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).not.toMatch(/\d/);
  });

  it('rejects a body without message_id, naming the field', () => {
    const body = example('kaleyra', 'messageStatus', 'delivered');
    delete body.message_id;
    const error = malformed('kaleyra', body);
    expect(fields(error)).toEqual(['message_id']);
    expect(JSON.stringify([error.message, error.issues])).not.toContain('919000012345');
  });

  it('rejects a status object without a timestamp', () => {
    const body = example('kaleyra', 'messageStatus', 'failed');
    delete body.meta_object.value.statuses[0].timestamp;
    expect(fields(malformed('kaleyra', body))).toEqual(['meta_object.value.statuses.0.timestamp']);
  });
});

describe('Loopwave', () => {
  it('turns our own message.created into sent, recipient the digits of the chat id', () => {
    const body = example('loopwave', 'message.created', 'messageCreated');
    body.data.fromMe = true;
    expect(normalise('loopwave', body)).toEqual(
      one({
        provider: 'loopwave',
        account: ACCOUNT,
        providerMessageId: 'ABCD1234',
        status: 'sent',
        at: '2025-06-29T10:35:00.000Z',
        recipient: '919812345678',
      }),
    );
  });

  it('ignores events it does not subscribe to, without echoing odd names', () => {
    const body = example('loopwave', 'broadcast.progress', 'broadcastProgress');
    body.event = 'session.status';
    expect(normalise('loopwave', body)).toEqual(none("loopwave event 'session.status' carries no message status"));
    body.event = '919812345678';
    expect(normalise('loopwave', body).ignored[0]).not.toMatch(/\d/);
  });

  it('rejects our message.created without a messageId, naming the field', () => {
    const body = example('loopwave', 'message.created', 'messageCreated');
    body.data.fromMe = true;
    delete body.data.messageId;
    expect(fields(malformed('loopwave', body))).toEqual(['data.messageId']);
  });

  it('rejects a message.created that does not say whose message it is', () => {
    const body = example('loopwave', 'message.created', 'messageCreated');
    delete body.data.fromMe;
    expect(fields(malformed('loopwave', body))).toEqual(['data.fromMe']);
  });

  it('rejects an envelope timestamp that is not ISO-8601', () => {
    const body = example('loopwave', 'broadcast.progress', 'broadcastProgress');
    body.timestamp = 1751193300;
    expect(fields(malformed('loopwave', body))).toEqual(['timestamp']);
  });
});

describe('LiveTok', () => {
  it('has no status webhooks: any body is malformed', () => {
    const error = malformed('livetok', example('livechat', 'messageStatus', 'sent'));
    expect(error.provider).toBe('livetok');
    expect(fields(error)).toEqual(['(body)']);
  });
});

describe('bounds: what an event carries always fits the store', () => {
  const tooLong = 'i'.repeat(513);

  it('rejects a provider id or recipient over 512 characters, naming the field it came from', () => {
    const v3 = example('gupshup', 'messageEventV3', 'delivered');
    v3.entry[0].changes[0].value.statuses[0].id = tooLong; // the WhatsApp id beside gs_id: an alias
    expect(fields(malformed('gupshup', v3))).toEqual(['entry.0.changes.0.value.statuses.0.id']);
    const kaleyra = example('kaleyra', 'messageStatus', 'notSent');
    kaleyra.extra_info = { ...kaleyra.extra_info, message_id: tooLong };
    expect(fields(malformed('kaleyra', kaleyra))).toEqual(['extra_info.message_id']);
    const livechat = example('livechat', 'messageStatus', 'sent');
    livechat.data.recipient_id = tooLong;
    expect(fields(malformed('livechat', livechat))).toEqual(['data.recipient_id']);
    const v2 = example('gupshup', 'messageEventV2', 'delivered');
    v2.payload.gsId = tooLong;
    expect(fields(malformed('gupshup', v2))).toEqual(['payload.gsId']);
  });

  it('takes ids of exactly 512 characters', () => {
    const body = example('livechat', 'messageStatus', 'sent');
    body.data.id = 'w'.repeat(512);
    expect(only('livechat', body).providerMessageId).toHaveLength(512);
  });

  it('cuts provider text (error details, pricing words) to 1000 characters', () => {
    const body = example('livechat', 'messageStatus', 'failed');
    body.data.errors[0].error_data = { details: '😀'.repeat(2000) };
    body.data.errors[0].title = 't'.repeat(5000);
    const { error } = only('livechat', body);
    expect(error?.title).toHaveLength(1000);
    expect(error?.message?.length).toBeLessThanOrEqual(1000);
    expect(error?.message?.endsWith('😀…')).toBe(true); // never half a character
  });
});
