import * as sdk from '../../generated/loopwave/sdk.gen.ts';
import { createClient } from '../../generated/loopwave/client/index.ts';
import { defineHttpContract } from '../support/http-contract.ts';
import { adapterSend } from '../support/adapter-sends.ts';
import { loopwaveAdapter } from '../../src/providers/loopwave/adapter.ts';

defineHttpContract({
  provider: 'loopwave',
  sdk,
  createClient,
  // Loopwave takes a Bearer key or X-API-Key; we send the key once, as Bearer.
  auth: {
    value: (scheme: { type: string }) => (scheme.type === 'http' ? 'lw_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' : undefined),
    header: 'Authorization',
    example: 'Bearer lw_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    pattern: /^Bearer lw_live_\S+$/,
  },
  // The generated client validates every required field of the answer (no id comes back).
  reliesOn: { sendMessage: ['status', 'to', 'from'] },
  adapterOperation: 'sendMessage',
  adapterSends: [
    adapterSend(
      'a text message from the account’s number',
      loopwaveAdapter,
      { id: 'acme-loopwave', provider: 'loopwave', sessionId: 'n1a2b3c' },
      'lw_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      { kind: 'text', text: 'Hi! Your order A-17 has shipped.' },
    ),
  ],
});
