import { zReceiveBroadcastProgressWebhookRequest, zReceiveMessageCreatedWebhookRequest } from '../../generated/loopwave/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

const bodies = {
  'message.created': zReceiveMessageCreatedWebhookRequest.shape.body,
  'broadcast.progress': zReceiveBroadcastProgressWebhookRequest.shape.body,
};

defineWebhookContract({
  provider: 'loopwave',
  parse: (webhook, body) => {
    const schema = bodies[webhook as keyof typeof bodies];
    if (!schema) throw new Error(`no parser for the ${webhook} webhook`);
    return schema.parse(body);
  },
});
