/**
 * `npm start`: the whole pipeline on one machine. Until the local stack exists it says what is
 * built and how to use it, rather than pretending to run it.
 */
const built = [
  'specs/<provider>.yaml   OpenAPI 3.1 specs for livetok, livechat, gupshup, loopwave, kaleyra',
  'generated/<provider>/   typed clients + zod schemas (import "whatsapp-provider-kit/<provider>")',
  'npm run mock            Prism mocks of every provider on ports 4010-4014',
  'contracts/              Pact contracts, verified against the mocks and the specs',
];
const pending = ['accept API and message store', 'paced sender', 'status webhooks', 'Pulumi infrastructure', 'local stack behind `npm start`'];

console.log('whatsapp-provider-kit: the local pipeline is not built yet.\n');
console.log('Built so far:');
for (const line of built) console.log(`  ${line}`);
console.log('\nNot built yet:');
for (const line of pending) console.log(`  - ${line}`);
console.log('\nRun the tests with `npm test`. See README.md.');
