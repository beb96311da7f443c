import { zReceiveBroadcastProgressWebhookRequest, zReceiveMessageCreatedWebhookRequest } from '../../generated/loopwave/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

defineWebhookContract({
  provider: 'loopwave',
  parsers: {
    'message.created': zReceiveMessageCreatedWebhookRequest.shape.body,
    'broadcast.progress': zReceiveBroadcastProgressWebhookRequest.shape.body,
  },
});
