import { defineFixtures } from '../fixtures.ts';

export const kaleyraFixtures = defineFixtures({
  name: 'kaleyra',
  account: { id: 'acme-kaleyra', provider: 'kaleyra', sid: 'HXIN1691385017IN', senderNumber: '+919000014497' },
  credential: 'key',
  content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
});
