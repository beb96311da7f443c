import * as sdk from '../../generated/livechat/sdk.gen.ts';
import { createClient } from '../../generated/livechat/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';

defineHttpContract({
  provider: 'livechat',
  sdk,
  createClient,
  // The client base64-encodes `<account id>:<PAT>` into Basic auth.
  auth: { value: '12345:pat-token', header: 'Authorization', example: `Basic ${Buffer.from('12345:pat-token').toString('base64')}`, pattern: /^Basic [A-Za-z0-9+/]+=*$/ },
  // LiveChat documents no answer bodies: the send relies on the status alone.
  reliesOn: { sendTemplateMessage: [] },
});
