import { defineFixtures } from '../fixtures.ts';

export const loopwaveFixtures = defineFixtures({
  name: 'loopwave',
  account: { id: 'acme-loopwave', provider: 'loopwave', baseUrl: 'https://loopwave.example.com', sessionId: 'n1a2b3c' },
  credential: 'key',
  // Loopwave sends text only.
  content: { kind: 'text', text: 'Your order A-17 has shipped.' },
});
