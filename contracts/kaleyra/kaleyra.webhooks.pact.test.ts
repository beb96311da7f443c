import { zReceiveMessageStatusWebhookRequest } from '../../generated/kaleyra/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

defineWebhookContract({ provider: 'kaleyra', parsers: { messageStatus: zReceiveMessageStatusWebhookRequest.shape.body } });
