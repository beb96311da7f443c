import { zReceiveMessageStatusWebhookRequest } from '../../generated/livechat/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

defineWebhookContract({
  provider: 'livechat',
  parse: (_webhook, body) => zReceiveMessageStatusWebhookRequest.shape.body.parse(body),
});
