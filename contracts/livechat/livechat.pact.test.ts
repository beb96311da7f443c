import * as sdk from '../../generated/livechat/sdk.gen.ts';
import { createClient } from '../../generated/livechat/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';
import { adapterSend } from '../support/adapter-sends.ts';
import { livechatAdapter } from '../../src/providers/livechat/adapter.ts';

defineHttpContract({
  provider: 'livechat',
  sdk,
  createClient,
  // The client base64-encodes `<account id>:<PAT>` into Basic auth.
  auth: {
    value: '12345:pat-token',
    header: 'Authorization',
    example: `Basic ${Buffer.from('12345:pat-token').toString('base64')}`,
    pattern: /^Basic [A-Za-z0-9+/]+=*$/,
  },
  // LiveChat documents no answer bodies: the send relies on the status alone.
  reliesOn: { sendTemplateMessage: [] },
  adapterOperation: 'sendTemplateMessage',
  adapterSends: [
    adapterSend(
      'a template with named values and a quick reply',
      livechatAdapter,
      { id: 'acme-livechat', provider: 'livechat', numberId: '1234' },
      '12345:pat-token',
      {
        kind: 'template',
        name: 'appointment_reminder',
        language: 'en_US',
        body: { doctor: 'Dr. Smith', time: 'tomorrow at 2:00 PM' },
        buttons: [{ type: 'quick_reply', index: 0, payload: 'CONFIRM' }],
      },
    ),
  ],
});
