import { zReceiveMessageEventV2WebhookRequest, zReceiveMessageEventV3WebhookRequest } from '../../generated/gupshup/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

const bodies = {
  messageEventV2: zReceiveMessageEventV2WebhookRequest.shape.body,
  messageEventV3: zReceiveMessageEventV3WebhookRequest.shape.body,
};

defineWebhookContract({
  provider: 'gupshup',
  parse: (webhook, body) => {
    const schema = bodies[webhook as keyof typeof bodies];
    if (!schema) throw new Error(`no parser for the ${webhook} webhook`);
    return schema.parse(body);
  },
});
