import { createClient } from '../../generated/gupshup/client/index.ts';
import * as gupshup from '../../src/clients/gupshup.ts';
import type { Json } from '../../test/support/spec.ts';
import { defineHttpContract } from '../support/http-contract.ts';
import { adapterSend } from '../support/adapter-sends.ts';
import { gupshupAdapter } from '../../src/providers/gupshup/adapter.ts';

defineHttpContract({
  provider: 'gupshup',
  // The package's Gupshup client: the generated one with the form serializer that sends JSON fields whole.
  sdk: gupshup,
  createClient,
  auth: { value: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a', header: 'apikey', example: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a', pattern: /^\S+$/ },
  reliesOn: { sendTemplateMessage: ['status', 'messageId'] },
  formBody: (body: Json) => gupshup.gupshupFormBodySerializer.bodySerializer(body),
  adapterOperation: 'sendTemplateMessage',
  adapterSends: [
    adapterSend(
      'a limited-time offer with an image header and a quick reply',
      gupshupAdapter,
      {
        id: 'acme-gupshup',
        provider: 'gupshup',
        source: '919163000003',
        appName: 'DemoApp',
        templates: [{ name: 'lto_offer', language: 'en', providerTemplateId: 'tmpl-7f2', bodyParameters: 2, header: 'image' }],
      },
      '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a',
      {
        kind: 'template',
        name: 'lto_offer',
        language: 'en',
        header: { type: 'image', media: { link: 'https://example.com/offer.jpg' } },
        body: ['Pablo', 'CARIBE25'],
        limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
        buttons: [{ type: 'quick_reply', index: 0, payload: 'yes please' }],
      },
    ),
  ],
});
