import * as sdk from '../../generated/livetok/sdk.gen.ts';
import { createClient } from '../../generated/livetok/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';
import { adapterSend } from '../support/adapter-sends.ts';
import { livetokAdapter } from '../../src/providers/livetok/adapter.ts';

defineHttpContract({
  provider: 'livetok',
  sdk,
  createClient,
  auth: { value: 'sk_test_abc123', header: 'Authorization', example: 'Bearer sk_test_abc123', pattern: /^Bearer \S+$/ },
  // The generated client validates every required field of the answer; the sender keeps the id and status.
  reliesOn: { sendTemplateMessage: ['id', 'status', 'to', 'template_name', 'created_at'] },
  adapterOperation: 'sendTemplateMessage',
  adapterSends: [
    adapterSend('a template with an image and two values', livetokAdapter, { id: 'acme-livetok', provider: 'livetok' }, 'sk_test_abc123', {
      kind: 'template',
      name: 'special_offer',
      language: 'en_US',
      header: { type: 'image', media: { link: 'https://yoursite.com/promo.jpg' } },
      body: ['20% off', 'PROMO20'],
    }),
  ],
});
