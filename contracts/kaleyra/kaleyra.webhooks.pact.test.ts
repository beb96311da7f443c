import { zReceiveMessageStatusWebhookRequest } from '../../generated/kaleyra/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

defineWebhookContract({
  provider: 'kaleyra',
  parse: (_webhook, body) => zReceiveMessageStatusWebhookRequest.shape.body.parse(body),
});
