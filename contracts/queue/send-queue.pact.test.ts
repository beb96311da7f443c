/**
 * The send queue's message contract: what our sender relies on in the bodies our accept function
 * puts on the queue (and that producers who enqueue directly must send). Consumer side: the
 * sender's reading of a body; provider side: the accept function's own builder, verified by Pact's
 * Verifier, and each message checked against the exported `QueueMessage` schema.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatchersV3, PactV4, Verifier } from '@pact-foundation/pact';
import { afterAll, describe, expect, it } from 'vitest';
import { toQueueMessage } from '../../src/api/accept.ts';
import { QueueMessage } from '../../src/messages/queue-message.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import { pactFile, PACTS_DIR, QUEUE_CONSUMER, QUEUE_PRODUCER, UPDATE_PACTS } from '../support/pact-files.ts';

const { like, regex } = MatchersV3;
const ACCEPTED_AT = '2026-11-22T10:00:00.000Z';

/** What accept enqueues for each of these requests, described as the sender sees them. */
const CASES = {
  'a template message with media, values and buttons': {
    id: '01JD0000000000000000000001',
    request: {
      provider: 'kaleyra',
      account: 'acme-kaleyra',
      recipient: '+919812345678',
      content: {
        kind: 'template',
        name: 'lto_template',
        language: 'en_US',
        header: { type: 'image', media: { id: '1602186516975000' } },
        body: ['Pablo', 'CARIBE25'],
        limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
        buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }],
      },
      metadata: { order: 'A-17' },
    },
  },
  'a scheduled text message': {
    id: '01JD0000000000000000000002',
    request: {
      provider: 'loopwave',
      account: 'acme-loopwave',
      recipient: '+919812345678',
      content: { kind: 'text', text: 'Your order has shipped.' },
      scheduleAt: '2026-11-23T09:00:00+05:30',
    },
  },
} as const;

/** The body exactly as the queue carries it: accept's builder, through JSON. */
const produced = (description: keyof typeof CASES) =>
  JSON.parse(JSON.stringify(toQueueMessage(SendRequest.parse(CASES[description].request), CASES[description].id, ACCEPTED_AT))) as Record<
    string,
    unknown
  >;

describe('send queue message contract', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'pact-queue-'));
  const file = pactFile(QUEUE_CONSUMER, QUEUE_PRODUCER);
  const committed = join(PACTS_DIR, file);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  for (const description of Object.keys(CASES) as Array<keyof typeof CASES>) {
    it(`sender reads ${description}`, async () => {
      const body = produced(description);
      const pact = new PactV4({ consumer: QUEUE_CONSUMER, provider: QUEUE_PRODUCER, dir: outDir, logLevel: 'error' });
      await pact
        .addAsynchronousInteraction()
        .expectsToReceive(description, (builder) =>
          builder.withJSONContent({ ...(like(body) as object), v: 1, id: regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, String(body.id)) }),
        )
        .executeTest(async (message) => {
          const read = QueueMessage.parse(message.contents.content);
          expect(read.request.recipient).toMatch(/^\+\d+$/);
        });
    });
  }

  it('produces exactly the committed pact', () => {
    const producedFile = join(outDir, file);
    if (UPDATE_PACTS) copyFileSync(producedFile, committed);
    expect(existsSync(committed)).toBe(true);
    const strip = (text: string) => ({ ...(JSON.parse(text) as object), metadata: undefined });
    expect(strip(readFileSync(producedFile, 'utf8'))).toEqual(strip(readFileSync(committed, 'utf8')));
  });

  it("verifies against accept's own builder", async () => {
    const messageProviders = Object.fromEntries(
      (Object.keys(CASES) as Array<keyof typeof CASES>).map((d) => [d, () => Promise.resolve(produced(d))]),
    );
    await new Verifier({ provider: QUEUE_PRODUCER, pactUrls: [committed], messageProviders, logLevel: 'error' }).verifyProvider();
  }, 60_000);

  it('every message matches the exported QueueMessage schema', () => {
    const pact = JSON.parse(readFileSync(committed, 'utf8')) as {
      interactions: Array<{ description: string; contents: { content: unknown } }>;
    };
    expect(pact.interactions.map((i) => i.description).sort()).toEqual(Object.keys(CASES).sort());
    for (const interaction of pact.interactions)
      expect(QueueMessage.safeParse(interaction.contents.content).success, interaction.description).toBe(true);
  });
});
