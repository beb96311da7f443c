import * as sdk from '../../generated/livetok/sdk.gen.ts';
import { createClient } from '../../generated/livetok/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';

defineHttpContract({
  provider: 'livetok',
  sdk,
  createClient,
  auth: { value: 'sk_test_abc123', header: 'Authorization', example: 'Bearer sk_test_abc123', pattern: /^Bearer \S+$/ },
  // The generated client validates every required field of the answer; the sender keeps the id and status.
  reliesOn: { sendTemplateMessage: ['id', 'status', 'to', 'template_name', 'created_at'] },
});
