/**
 * Meta's documented status objects (WhatsApp Cloud API, "Status messages webhook reference"), a
 * fixed set: each status word, conversation-based (`CBP`) and per-message (`PMP`) pricing,
 * business-scoped user ids (with and without a phone number), error objects, the sender's
 * `biz_opaque_callback_data`. Each fixture says what our normaliser must make of it.
 */
import type { MessageStatus } from '../../../src/messages/status.ts';

const WAMID = 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';

export interface MetaStatusFixture {
  name: string;
  status: Record<string, unknown>;
  /** Our status for it, and the recipient our event names. */
  expected: { status: MessageStatus; recipient?: string };
}

export const META_STATUSES: MetaStatusFixture[] = [
  {
    name: 'sent, conversation-based pricing (CBP), Meta’s string timestamps',
    status: {
      id: WAMID,
      status: 'sent',
      timestamp: '1750263773',
      recipient_id: '16505551234',
      conversation: { id: 'CONVERSATION_ID', expiration_timestamp: '1750350180', origin: { type: 'marketing' } },
      pricing: { billable: true, pricing_model: 'CBP', category: 'marketing' },
    },
    expected: { status: 'sent', recipient: '16505551234' },
  },
  {
    name: 'delivered, per-message pricing (PMP) with its type',
    status: {
      id: WAMID,
      status: 'delivered',
      timestamp: '1750263774',
      recipient_id: '16505551234',
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
    },
    expected: { status: 'delivered', recipient: '16505551234' },
  },
  {
    name: 'delivered, PMP free customer-service message (billable false)',
    status: {
      id: WAMID,
      status: 'delivered',
      timestamp: '1750263774',
      recipient_id: '16505551234',
      conversation: { id: 'CONVERSATION_ID', origin: { type: 'service' } },
      pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
    },
    expected: { status: 'delivered', recipient: '16505551234' },
  },
  {
    name: 'delivered, PMP category authentication_international',
    status: {
      id: WAMID,
      status: 'delivered',
      timestamp: '1750263774',
      recipient_id: '16505551234',
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'authentication_international' },
    },
    expected: { status: 'delivered', recipient: '16505551234' },
  },
  {
    name: 'read, the minimal status',
    status: { id: WAMID, status: 'read', timestamp: '1750263800', recipient_id: '16505551234' },
    expected: { status: 'read', recipient: '16505551234' },
  },
  {
    name: 'read, with the sender’s biz_opaque_callback_data echoed',
    status: {
      id: WAMID,
      status: 'read',
      timestamp: '1750263800',
      recipient_id: '16505551234',
      biz_opaque_callback_data: '01JD0000000000000000000000',
    },
    expected: { status: 'read', recipient: '16505551234' },
  },
  {
    name: 'delivered to a user with a username: phone number and business-scoped user id',
    status: {
      id: WAMID,
      status: 'delivered',
      timestamp: '1750263774',
      recipient_id: '16505551234',
      recipient_user_id: 'US.13491208655302741918',
    },
    expected: { status: 'delivered', recipient: '16505551234' },
  },
  {
    name: 'delivered to a user known only by a business-scoped user id (no phone number)',
    status: { id: WAMID, status: 'delivered', timestamp: '1750263774', recipient_user_id: 'US.13491208655302741918' },
    expected: { status: 'delivered', recipient: 'US.13491208655302741918' },
  },
  {
    name: 'failed, error object with href and error_data (131050, opted out of marketing)',
    status: {
      id: WAMID,
      status: 'failed',
      timestamp: '1750263900',
      recipient_id: '16505551234',
      errors: [
        {
          code: 131050,
          title:
            'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
          message:
            'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
          error_data: { details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages.' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    },
    expected: { status: 'failed', recipient: '16505551234' },
  },
  {
    name: 'failed, error object with code and title only (131026, undeliverable)',
    status: {
      id: WAMID,
      status: 'failed',
      timestamp: '1750263900',
      recipient_id: '16505551234',
      errors: [{ code: 131026, title: 'Message undeliverable' }],
    },
    expected: { status: 'failed', recipient: '16505551234' },
  },
];
