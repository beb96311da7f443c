import { defineFixtures } from '../fixtures.ts';

export const livetokFixtures = defineFixtures({
  name: 'livetok',
  account: { id: 'acme-livetok', provider: 'livetok', plan: 'pro' },
  credential: 'key',
  content: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
});
