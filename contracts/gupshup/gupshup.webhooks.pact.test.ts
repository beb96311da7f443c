import { zReceiveMessageEventV2WebhookRequest, zReceiveMessageEventV3WebhookRequest } from '../../generated/gupshup/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

defineWebhookContract({
  provider: 'gupshup',
  parsers: {
    messageEventV2: zReceiveMessageEventV2WebhookRequest.shape.body,
    messageEventV3: zReceiveMessageEventV3WebhookRequest.shape.body,
  },
});
