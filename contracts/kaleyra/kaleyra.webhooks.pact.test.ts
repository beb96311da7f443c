import { normaliseWebhook } from '../../src/webhooks/normalise.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

/** Our webhook side's parser: the spec's schema, then the normalisation into status events. */
const parser = { parse: (body: unknown) => normaliseWebhook('kaleyra', 'acme-kaleyra', body) };

defineWebhookContract({
  provider: 'kaleyra',
  parsers: {
    messageStatus: parser,
  },
});
