import * as sdk from '../../generated/kaleyra/sdk.gen.ts';
import { createClient } from '../../generated/kaleyra/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';
import { adapterSend } from '../support/adapter-sends.ts';
import { kaleyraAdapter } from '../../src/providers/kaleyra/adapter.ts';

defineHttpContract({
  provider: 'kaleyra',
  sdk,
  createClient,
  auth: { value: 'Axxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3', header: 'api-key', example: 'Axxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3', pattern: /^\S+$/ },
  // The sender needs Kaleyra's id of the message to match callbacks, and the code to tell success.
  reliesOn: { sendLimitedTimeOfferTemplate: ['code', 'data.message_id'] },
  adapterOperation: 'sendLimitedTimeOfferTemplate',
  adapterSends: [
    adapterSend('a limited-time offer with image header, coupon and URL buttons', kaleyraAdapter, { id: 'acme-kaleyra', provider: 'kaleyra', sid: 'HXIN1691385017IN', senderNumber: '+919000014497' }, 'Axxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3', {
      kind: 'template',
      name: 'lto_template',
      language: 'en_US',
      header: { type: 'image', media: { id: '1602186516975000' } },
      body: ['Pablo', 'CARIBE25'],
      limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
      buttons: [
        { type: 'copy_code', index: 0, code: 'CARIBE25' },
        { type: 'url', index: 1, text: 'n3mtql' },
      ],
    }),
  ],
});
