import { normaliseWebhook } from '../../src/webhooks/normalise.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

/** Our webhook side's parser: the spec's schema, then the normalisation into status events. */
const parser = { parse: (body: unknown) => normaliseWebhook('gupshup', 'acme-gupshup', body) };

defineWebhookContract({
  provider: 'gupshup',
  parsers: {
    messageEventV2: parser,
    messageEventV3: parser,
  },
});
