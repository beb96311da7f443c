import { defineFixtures } from '../fixtures.ts';

export const gupshupFixtures = defineFixtures({
  name: 'gupshup',
  account: {
    id: 'acme-gupshup',
    provider: 'gupshup',
    source: '919163000003',
    appName: 'DemoApp',
    // Gupshup names templates by id: only a registered template can be sent.
    templates: [{ name: 'order_update', language: 'en', providerTemplateId: 'tmpl-7f2', bodyParameters: 2 }],
  },
  credential: 'key',
  content: { kind: 'template', name: 'order_update', language: 'en', body: ['A-17', 'shipped'] },
});
