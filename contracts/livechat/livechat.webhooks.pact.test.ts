import { zReceiveMessageStatusWebhookRequest } from '../../generated/livechat/zod.gen.ts';
import { defineWebhookContract } from '../support/webhook-contract.ts';

defineWebhookContract({ provider: 'livechat', parsers: { messageStatus: zReceiveMessageStatusWebhookRequest.shape.body } });
