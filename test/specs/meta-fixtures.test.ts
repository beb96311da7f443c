/**
 * The providers that pass Meta's shapes through: what Meta documents there validates, unless
 * the provider's own document rules it out (specs/CONVENTIONS.md rule 10). Kaleyra's
 * `messaging_object` is Meta's message object and its callbacks carry Meta's status in
 * `meta_object`; LiveChat's `template` is Meta's template object and its callback `data` is Meta's
 * status object (Gupshup's v3 callbacks too, in Meta's envelope). Each fixture has its verdict; a status fixture is also normalised (our webhook
 * side parses with the spec's generated schema), to the status and recipient it names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseWebhook } from '../../src/webhooks/normalise.ts';
import { specValidators, type SpecValidators } from '../support/spec-validate.ts';
import { META_MESSAGES_KALEYRA_REFUSES, META_TEMPLATE_MESSAGES } from './meta-fixtures/messages.ts';
import { META_STATUSES } from './meta-fixtures/statuses.ts';

const KALEYRA_SEND = 'POST /v2/{sid}/whatsapp/{phone_number}/messages';
const LIVECHAT_SEND = 'POST /whatsapp-numbers/{id}/template-messages';
const RECEIVED_AT = new Date('2026-03-01T12:00:00.000Z');

let kaleyra: SpecValidators;
let livechat: SpecValidators;
let gupshup: SpecValidators;
beforeAll(async () => {
  [kaleyra, livechat, gupshup] = await Promise.all([specValidators('kaleyra'), specValidators('livechat'), specValidators('gupshup')]);
});

describe('Meta’s template messages', () => {
  it.each(META_TEMPLATE_MESSAGES.map((f) => [f.name, f] as const))('Kaleyra messaging_object: %s → valid', (_name, fixture) => {
    expect(kaleyra.of({ request: KALEYRA_SEND })({ messaging_object: fixture.message, extra_info: { ref: 'r' } })).toEqual([]);
  });

  it.each(META_TEMPLATE_MESSAGES.map((f) => [f.name, f] as const))('LiveChat template: %s → valid', (_name, fixture) => {
    expect(livechat.of({ request: LIVECHAT_SEND })({ to: '16505551234', template: fixture.message.template })).toEqual([]);
  });

  it.each(META_MESSAGES_KALEYRA_REFUSES.map((f) => [f.name, f] as const))('Kaleyra messaging_object: %s → refused', (_name, fixture) => {
    const violations = kaleyra.of({ request: KALEYRA_SEND })({ messaging_object: fixture.message });
    expect(
      violations.some((violation) => violation.startsWith(`${fixture.field} `)),
      `${fixture.rule}: ${violations.join('; ')}`,
    ).toBe(true);
  });
});

describe('Meta’s status objects', () => {
  it.each(META_STATUSES.map((f) => [f.name, f] as const))('LiveChat data: %s → valid, and normalised', (_name, fixture) => {
    const body = { type: 'message.status', timestamp: '2024-10-02T09:50:53.124072075Z', data: fixture.status };
    expect(livechat.of({ webhook: 'messageStatus' })(body)).toEqual([]);
    const { events, ignored } = normaliseWebhook('livechat', 'acct', body, RECEIVED_AT);
    expect(ignored).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: fixture.expected.status, recipient: fixture.expected.recipient });
  });

  it.each(META_STATUSES.map((f) => [f.name, f] as const))('Kaleyra meta_object: %s → valid, and normalised', (_name, fixture) => {
    const body = {
      message_id: 'AXXXXXXXXXXXXXXXXXXX',
      status: String(fixture.status.status).toUpperCase(),
      meta_object: { field: 'messages', value: { messaging_product: 'whatsapp', statuses: [fixture.status] } },
      extra_info: { message_id: 'AXXXXXXXXXXXXXXXXXXX', ref: '01JD0000000000000000000000' },
    };
    expect(kaleyra.of({ webhook: 'messageStatus' })(body)).toEqual([]);
    const { events } = normaliseWebhook('kaleyra', 'acct', body, RECEIVED_AT);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: fixture.expected.status, recipient: fixture.expected.recipient });
  });

  it.each(META_STATUSES.map((f) => [f.name, f] as const))('Gupshup v3 (Meta’s envelope): %s → valid, and normalised', (_name, fixture) => {
    const body = {
      object: 'whatsapp_business_account',
      gs_app_id: 'f5f7b0b1-0000-4000-8000-000000000000',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: { messaging_product: 'whatsapp', statuses: [{ ...fixture.status, gs_id: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' }] },
            },
          ],
        },
      ],
    };
    expect(gupshup.of({ webhook: 'messageEventV3' })(body)).toEqual([]);
    const { events } = normaliseWebhook('gupshup', 'acct', body, RECEIVED_AT);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: fixture.expected.status, recipient: fixture.expected.recipient });
  });
});
