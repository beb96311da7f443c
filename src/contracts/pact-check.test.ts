/**
 * The static pact check that `whatsapp-provider-kit/contracts` exports: the spec bundled into one
 * document (no reference to another file left, Meta's shared shapes copied once), our committed
 * pacts agree with their specs, and a pact that drifts — a path the spec does not have, a body
 * without a required field, a JSON form field of the wrong shape, an answer the spec does not
 * document — is reported with the comparator's rule and the place in the pact.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPactAgainstSpec, SPEC_NAMES } from './index.ts';
import { bundleSpec } from './spec-bundle.ts';

const pactsDir = new URL('../../contracts/pacts/', import.meta.url).pathname;
const specsDir = new URL('../../specs/', import.meta.url).pathname;
/** A committed pact, with what these tests change typed. */
interface Pact {
  interactions: Array<{ description: string; request?: { method: string; path: string; body?: unknown }; response?: { status: number } }>;
}
const committed = (file: string): Pact => JSON.parse(readFileSync(join(pactsDir, file), 'utf8')) as Pact;
const errors = async (pact: Pact, spec: Parameters<typeof checkPactAgainstSpec>[1]) =>
  (await checkPactAgainstSpec(pact, spec))
    .filter((finding) => finding.type === 'error')
    .map((finding) => [finding.code, finding.mockDetails?.location]);

/** Every `$ref` in a document. */
function refsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsOf);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : refsOf(value)));
}

/** The value a local `$ref` points at. */
function target(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe('bundleSpec', () => {
  const work = mkdtempSync(join(tmpdir(), 'spec-bundle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('makes every reference of each spec local, and each resolves', () => {
    for (const name of SPEC_NAMES) {
      const doc = bundleSpec(join(specsDir, `${name}.yaml`));
      const refs = refsOf(doc);
      expect(
        refs.filter((ref) => !ref.startsWith('#/')),
        name,
      ).toEqual([]);
      expect(
        refs.filter((ref) => target(doc, ref) === undefined),
        name,
      ).toEqual([]);
    }
    // Meta's shapes come in under their file's name, with the references among them followed.
    const livechat = bundleSpec(join(specsDir, 'livechat.yaml')) as { components: { schemas: Record<string, unknown> } };
    expect(Object.keys(livechat.components.schemas)).toEqual(expect.arrayContaining(['meta.Template', 'meta.TemplateComponent']));
  });

  it('names the file and the reference it cannot follow', () => {
    mkdirSync(join(work, 'shared'));
    writeFileSync(join(work, 'shared/other.yaml'), 'components:\n  schemas:\n    A: { type: string }\n');
    const spec = (ref: string) => {
      writeFileSync(join(work, 'spec.yaml'), `openapi: 3.1.0\ncomponents:\n  schemas:\n    X: { $ref: '${ref}' }\n`);
      return () => bundleSpec(join(work, 'spec.yaml'));
    };
    expect(spec('./shared/other.yaml#/components/schemas/B')).toThrow(
      'spec.yaml: $ref ./shared/other.yaml#/components/schemas/B: no such component in shared/other.yaml',
    );
    expect(spec('./shared/other.yaml#/paths/x')).toThrow(/must name a component/);
    expect(spec('./shared/other.yaml#/components/schemas/A')()).toMatchObject({
      components: { schemas: { X: { $ref: '#/components/schemas/other.A' }, 'other.A': { type: 'string' } } },
    });
  });
});

describe('checkPactAgainstSpec', () => {
  it('finds no error in the pacts we commit, each against its spec', async () => {
    for (const spec of ['livetok', 'gupshup', 'api'] as const) {
      const file = spec === 'api' ? 'wapk-cli-wapk-api.json' : `whatsapp-provider-kit-${spec}.json`;
      expect(await errors(committed(file), spec), spec).toEqual([]);
      // The same from the file's path.
      expect(await checkPactAgainstSpec(join(pactsDir, file), spec), spec).toEqual(await checkPactAgainstSpec(committed(file), spec));
    }
  });

  it('reports a path the spec does not have, a body without a required field and an undocumented answer', async () => {
    const pact = committed('whatsapp-provider-kit-livetok.json');
    const index = pact.interactions.findIndex((interaction) => interaction.description === 'sendTemplateMessage: 200 basicTemplate');
    const send = pact.interactions[index]!;
    const body = (send.request!.body as { content: Record<string, unknown> }).content;
    body.template = body.template_name;
    delete body.template_name;
    const typo = structuredClone(send);
    typo.request!.path = '/v1/message/templates';
    const undocumented = structuredClone(pact.interactions[0]!);
    undocumented.response!.status = 418;
    const wrong = { ...pact, interactions: [send, typo, undocumented] };
    expect(await errors(wrong, 'livetok')).toEqual([
      ['request.body.incompatible', '[root].interactions[0].request.body'],
      ['request.path-or-method.unknown', '[root].interactions[1].request.path'],
      ['response.status.unknown', '[root].interactions[2].response.status'],
    ]);
    // The pact given is left as it was.
    expect(body.template).toBe('appointment_reminder');
  });

  it("checks the JSON inside Gupshup's form fields against the spec's schema", async () => {
    const pact = committed('whatsapp-provider-kit-gupshup.json');
    const index = pact.interactions.findIndex((interaction) => String(interaction.request?.body).includes('template=%7B'));
    expect(index).toBeGreaterThanOrEqual(0);
    const request = pact.interactions[index]!.request!;
    request.body = String(request.body).replace(/template=[^&]*/, `template=${encodeURIComponent(JSON.stringify({ params: [] }))}`);
    const findings = (await checkPactAgainstSpec(pact, 'gupshup')).filter((finding) => finding.type === 'error');
    expect(findings.map((finding) => [finding.code, finding.mockDetails?.location, finding.message])).toEqual([
      [
        'request.body.incompatible',
        `[root].interactions[${index}].request.body`,
        "Request body is incompatible with the request body schema in the spec file: /template must have required property 'id'",
      ],
    ]);
    request.body = String(request.body).replace(/template=[^&]*/, 'template=not-json');
    expect((await checkPactAgainstSpec(pact, 'gupshup')).map((finding) => finding.message)).toContain(
      'Request body is incompatible with the request body schema in the spec file: template must be JSON text',
    );
  });

  it('checks against another copy of the spec when given its path', async () => {
    const pact = committed('whatsapp-provider-kit-livetok.json');
    const dir = mkdtempSync(join(tmpdir(), 'spec-copy-'));
    try {
      const spec = readFileSync(join(specsDir, 'livetok.yaml'), 'utf8').replace('/v1/messages/templates:', '/v2/messages/templates:');
      writeFileSync(join(dir, 'livetok.yaml'), spec);
      const codes = (await checkPactAgainstSpec(pact, 'livetok', { specPath: join(dir, 'livetok.yaml') })).map((finding) => finding.code);
      expect(codes).toContain('request.path-or-method.unknown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a spec name or not a pact, naming the argument', async () => {
    const pact = committed('whatsapp-provider-kit-livetok.json');
    await expect(checkPactAgainstSpec(pact, 'whatsapp' as never)).rejects.toThrow(
      new TypeError('spec: must be one of livetok, livechat, gupshup, loopwave, kaleyra, api (got "whatsapp")'),
    );
    await expect(checkPactAgainstSpec({ consumer: { name: 'x' } } as never, 'livetok')).rejects.toThrow(
      new TypeError('pact: must be a pact file (an object with an `interactions` array)'),
    );
  });
});
