import * as sdk from '../../generated/kaleyra/sdk.gen.ts';
import { createClient } from '../../generated/kaleyra/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';
import { adapterSend } from '../support/adapter-sends.ts';
import { KALEYRA_LTO_CONTENT } from '../../test/support/fixtures.ts';
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
    adapterSend(
      'a limited-time offer with image header, coupon and URL buttons',
      kaleyraAdapter,
      { id: 'acme-kaleyra', provider: 'kaleyra', sid: 'HXIN1691385017IN', senderNumber: '+919000014497' },
      'Axxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3',
      KALEYRA_LTO_CONTENT,
    ),
  ],
});
