import { defineFixtures } from '../fixtures.ts';

export const livechatFixtures = defineFixtures({
  name: 'livechat',
  account: { id: 'acme-livechat', provider: 'livechat', numberId: '1234' },
  // LiveChat's credential is `<account id>:<personal access token>`.
  credential: '12345:pat',
  content: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
});
