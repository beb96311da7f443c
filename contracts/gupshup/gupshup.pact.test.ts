import { createClient } from '../../generated/gupshup/client/index.ts';
import * as gupshup from '../../src/clients/gupshup.ts';
import type { Json } from '../../test/support/spec.ts';
import { defineHttpContract } from '../support/http-contract.ts';

defineHttpContract({
  provider: 'gupshup',
  // The package's Gupshup client: the generated one with the form serializer that sends JSON fields whole.
  sdk: gupshup,
  createClient,
  auth: { value: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a', header: 'apikey', example: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a', pattern: /^\S+$/ },
  reliesOn: { sendTemplateMessage: ['status', 'messageId'] },
  formBody: (body: Json) => gupshup.gupshupFormBodySerializer.bodySerializer(body),
});
