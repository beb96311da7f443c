/**
 * The message contract of one provider's status callbacks: what our webhook parser relies on in
 * each payload the provider documents (or, marked `x-source: public-docs`, publishes elsewhere).
 *
 * Consumer side: one asynchronous interaction per documented webhook example, type-matched, handed
 * to our webhook parser (src/webhooks/normalise.ts: the spec's schema, then the normalisation).
 * Provider side: the committed pact is verified by Pact's Verifier with the spec's own examples as the messages the provider produces, and each message's contents are validated
 * against the spec's schema of that webhook body.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import { MatchersV3, PactV4, Verifier } from '@pact-foundation/pact';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../src/providers/names.ts';
import { loadSpec, requestExamples, type Json } from '../../test/support/spec.ts';
import { pactFile, PACTS_DIR, UPDATE_PACTS, WEBHOOK_CONSUMER } from './pact-files.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const { like } = MatchersV3;

export interface WebhookContract {
  provider: ProviderName;
  /**
   * Per webhook of the spec, how our webhook side parses its body (throws on a body it cannot
   * use): the webhook side's normalisation (src/webhooks/normalise.ts).
   */
  parsers: Record<string, { parse(body: unknown): unknown }>;
}

interface DocumentedWebhook {
  webhook: string;
  example: string;
  body: Json;
}

function documentedWebhooks(provider: ProviderName): DocumentedWebhook[] {
  const spec = loadSpec(provider);
  const webhooks = (spec.webhooks ?? {}) as Record<string, Record<string, unknown>>;
  return Object.keys(webhooks).flatMap((webhook) =>
    requestExamples(spec, webhook, 'post', 'application/json', 'webhooks').map((example) => ({
      webhook,
      example: example.name,
      body: example.value,
    })),
  );
}

const describeMessage = (message: DocumentedWebhook) => `${message.webhook}: ${message.example}`;

export function defineWebhookContract(contract: WebhookContract): void {
  const messages = documentedWebhooks(contract.provider);
  const outDir = mkdtempSync(join(tmpdir(), `pact-webhooks-${contract.provider}-`));
  const file = pactFile(WEBHOOK_CONSUMER, contract.provider);
  const committed = join(PACTS_DIR, file);

  describe(`${contract.provider} webhook contract`, () => {
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    describe('consumer: our parser against each documented callback', () => {
      for (const message of messages) {
        it(describeMessage(message), async () => {
          const pact = new PactV4({ consumer: WEBHOOK_CONSUMER, provider: contract.provider, dir: outDir, logLevel: 'error' });
          await pact
            .addAsynchronousInteraction()
            .expectsToReceive(describeMessage(message), (builder) => builder.withJSONContent(like(message.body)))
            .executeTest(async (received) => {
              const parser = contract.parsers[message.webhook];
              expect(parser, `no parser for the ${message.webhook} webhook`).toBeDefined();
              expect(() => parser!.parse(received.contents.content)).not.toThrow();
            });
        });
      }

      it('produces exactly the committed pact', () => {
        const produced = join(outDir, file);
        if (UPDATE_PACTS) copyFileSync(produced, committed);
        expect(existsSync(committed), `${committed} is missing: run npm run pacts:update`).toBe(true);
        const strip = (text: string) => ({ ...(JSON.parse(text) as object), metadata: undefined });
        expect(strip(readFileSync(produced, 'utf8'))).toEqual(strip(readFileSync(committed, 'utf8')));
      });
    });

    describe('provider: the committed pact against the spec', () => {
      it("verifies with the spec's documented payloads as the provider's messages", async () => {
        await verifyMessages(contract.provider, committed);
      }, 60_000);

      it("matches the spec's schema of each webhook body", async () => {
        expect(await messageSchemaViolations(contract.provider, committed)).toEqual([]);
      });

      it('covers every documented callback', () => {
        const pact = JSON.parse(readFileSync(committed, 'utf8')) as { interactions: Array<{ description: string }> };
        const descriptions = new Set(pact.interactions.map((interaction) => interaction.description));
        expect(messages.map(describeMessage).filter((description) => !descriptions.has(description))).toEqual([]);
      });
    });
  });
}

/** Verifies the message pact with the spec's documented examples (of `specProvider`'s spec file) as the provider's messages. */
export async function verifyMessages(provider: ProviderName, pactPath: string, examples = documentedWebhooks(provider)): Promise<void> {
  const messageProviders = Object.fromEntries(examples.map((message) => [describeMessage(message), () => Promise.resolve(message.body)]));
  await new Verifier({ provider, pactUrls: [pactPath], messageProviders, logLevel: 'error' }).verifyProvider();
}

/** Each message of the pact validated against the webhook body schema of `specPath`. */
export async function messageSchemaViolations(
  provider: ProviderName,
  pactPath: string,
  specPath = new URL(`../../specs/${provider}.yaml`, import.meta.url).pathname,
): Promise<string[]> {
  const spec = (await dereference(specPath)) as {
    webhooks?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: object }> } } }>;
  };
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const pact = JSON.parse(readFileSync(pactPath, 'utf8')) as {
    interactions: Array<{ description: string; contents?: { content?: unknown } }>;
  };
  const violations: string[] = [];
  for (const interaction of pact.interactions) {
    const webhook = interaction.description.slice(0, interaction.description.indexOf(':'));
    const schema = spec.webhooks?.[webhook]?.post?.requestBody?.content?.['application/json']?.schema;
    if (!schema) {
      violations.push(`${interaction.description}: the spec has no webhook ${webhook}`);
      continue;
    }
    const validate = ajv.compile(
      JSON.parse(
        JSON.stringify(schema, (key, value) => (key === 'example' || key === 'examples' || key.startsWith('x-') ? undefined : value)),
      ),
    );
    if (!validate(interaction.contents?.content)) {
      for (const error of validate.errors ?? [])
        violations.push(`${interaction.description}: ${error.instancePath || '/'} ${error.message}`);
    }
  }
  return violations;
}
