import * as sdk from '../../generated/kaleyra/sdk.gen.ts';
import { createClient } from '../../generated/kaleyra/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';

defineHttpContract({
  provider: 'kaleyra',
  sdk,
  createClient,
  auth: { value: 'Axxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3', header: 'api-key', example: 'Axxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3', pattern: /^\S+$/ },
  // The sender needs Kaleyra's id of the message to match callbacks, and the code to tell success.
  reliesOn: { sendLimitedTimeOfferTemplate: ['code', 'data.message_id'] },
});
