/**
 * Proof that the contract suite can fail: the committed pacts are verified against copies of the
 * specs with one deliberate, incompatible change each, and each change must be reported — by the
 * static comparison, and by the replay against a Prism mock where the change reaches the wire.
 * An unchanged copy verifies cleanly, so what fails is the mutation, not the harness.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ProviderName } from '../src/providers/names.ts';
import { HTTP_CONSUMER, pactFile, PACTS_DIR, WEBHOOK_CONSUMER } from './support/pact-files.ts';
import { compareWithSpec } from './support/verify.ts';
import { messageSchemaViolations } from './support/webhook-contract.ts';

type Doc = Record<string, any>;
const specsDir = new URL('../specs/', import.meta.url).pathname;
const workDir = mkdtempSync(join(tmpdir(), 'mutated-specs-'));
let copies = 0;

/** A copy of the provider's spec (and of shared/meta.yaml) with `mutate` applied to both documents. */
function mutatedSpec(provider: ProviderName, mutate: (spec: Doc, meta: Doc) => void): string {
  const dir = join(workDir, String(copies++));
  cpSync(specsDir, dir, { recursive: true });
  const spec = parse(readFileSync(join(dir, `${provider}.yaml`), 'utf8')) as Doc;
  const meta = parse(readFileSync(join(dir, 'shared/meta.yaml'), 'utf8')) as Doc;
  mutate(spec, meta);
  writeFileSync(join(dir, `${provider}.yaml`), stringify(spec));
  writeFileSync(join(dir, 'shared/meta.yaml'), stringify(meta));
  return join(dir, `${provider}.yaml`);
}

/** The dynamic verification, run in a child process so its expected FAILED report is captured. */
function replay(provider: ProviderName, spec: string): Promise<{ passed: boolean; report: string }> {
  const cli = new URL('./support/verify-cli.ts', import.meta.url).pathname;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, provider, httpPact(provider), spec],
      { env: { ...process.env, PACT_DO_NOT_TRACK: 'true' } },
      (error, stdout, stderr) => resolve({ passed: error === null, report: stdout + stderr }),
    );
  });
}

const httpPact = (provider: ProviderName) => join(PACTS_DIR, pactFile(HTTP_CONSUMER, provider));
const errorCodes = async (provider: ProviderName, spec: string) =>
  (await compareWithSpec(provider, httpPact(provider), spec)).filter((finding) => finding.type === 'error').map((finding) => finding.code);

describe('contract verification catches drift', () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('an unchanged copy of a spec verifies both ways (control)', async () => {
    const spec = mutatedSpec('loopwave', () => {});
    expect(await errorCodes('loopwave', spec)).toEqual([]);
    expect(await replay('loopwave', spec)).toMatchObject({ passed: true });
  }, 60_000);

  it('livetok: a required response field renamed (id → message_id)', async () => {
    const spec = mutatedSpec('livetok', (doc) => {
      const sent = doc.components.schemas.SentTemplateMessage;
      sent.properties.message_id = sent.properties.id;
      delete sent.properties.id;
      sent.required = sent.required.map((name: string) => (name === 'id' ? 'message_id' : name));
      const examples = doc.paths['/v1/messages/templates'].post.responses['200'].content['application/json'].examples;
      for (const example of Object.values<Doc>(examples)) {
        example.value.message_id = example.value.id;
        delete example.value.id;
      }
    });
    expect(await errorCodes('livetok', spec)).toContain('response.body.incompatible');
    const { passed, report } = await replay('livetok', spec);
    expect(passed).toBe(false);
    expect(report).toContain('FAILED');
  }, 60_000);

  it("kaleyra: an enum value the client sends removed (messaging_product 'whatsapp')", async () => {
    const spec = mutatedSpec('kaleyra', (doc) => {
      doc.components.schemas.MessagingObject.properties.messaging_product.enum = ['whatsapp_business'];
    });
    expect(await errorCodes('kaleyra', spec)).toContain('request.body.incompatible');
    const { passed, report } = await replay('kaleyra', spec);
    expect(passed).toBe(false);
    expect(report).toContain('FAILED');
  }, 60_000);

  it('loopwave: an enum value of a response removed (ticket status "open")', async () => {
    const spec = mutatedSpec('loopwave', (doc) => {
      const status = doc.components.schemas.Ticket.properties.status;
      const target = status.enum ? status : doc.components.schemas[status.$ref.split('/').pop()];
      target.enum = target.enum.filter((value: string) => value !== 'open');
    });
    expect(await errorCodes('loopwave', spec)).toContain('response.body.incompatible');
  }, 60_000);

  it('loopwave: a request field made required (sendMessage.from)', async () => {
    const spec = mutatedSpec('loopwave', (doc) => {
      const schema = doc.components.schemas.SendMessageRequest;
      schema.required = [...schema.required, 'from'];
    });
    expect(await errorCodes('loopwave', spec)).toContain('request.body.incompatible');
    const { passed, report } = await replay('loopwave', spec);
    expect(passed).toBe(false);
    expect(report).toContain('FAILED');
  }, 60_000);

  it('gupshup: a field inside a JSON form field made required (postbackTexts[].payload)', async () => {
    const spec = mutatedSpec('gupshup', (doc) => {
      const media = doc.paths['/wa/api/v1/template/msg'].post.requestBody.content['application/x-www-form-urlencoded'];
      const items = media.schema.$ref
        ? doc.components.schemas[media.schema.$ref.split('/').pop()].properties.postbackTexts.items
        : media.schema.properties.postbackTexts.items;
      const target = items.$ref ? doc.components.schemas[items.$ref.split('/').pop()] : items;
      target.required = [...(target.required ?? []), 'payload'];
    });
    expect(await errorCodes('gupshup', spec)).toContain('request.body.incompatible');
    const { passed, report } = await replay('gupshup', spec);
    expect(passed).toBe(false);
    expect(report).toContain('FAILED');
  }, 60_000);

  it('livechat: a status value of the webhook removed from the shared Meta shape ("read")', async () => {
    const spec = mutatedSpec('livechat', (_doc, meta) => {
      meta.components.schemas.Status.properties.status.enum = ['sent', 'delivered', 'failed'];
    });
    const violations = await messageSchemaViolations('livechat', join(PACTS_DIR, pactFile(WEBHOOK_CONSUMER, 'livechat')), spec);
    expect(violations.some((violation) => violation.startsWith('messageStatus: read:') && violation.includes('allowed values'))).toBe(true);
  }, 60_000);
});
