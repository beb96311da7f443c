/**
 * Every sample the provider documents print — requests, answers, callbacks, path and query
 * values — validates against its spec as printed, with only its placeholders filled; where the
 * document contradicts its own format, the sample names the contradiction (a quote that must still
 * be in it, and must still break it) and the least mend, and the mended sample validates. The
 * samples are copied into test/specs/document-samples/ (the documents are outside the repository).
 * The precedence these verdicts follow is specs/CONVENTIONS.md's rule 10.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS, type ProviderName } from '../../src/providers/names.ts';
import { specValidators, type SpecValidators } from '../support/spec-validate.ts';
import { gupshupSamples } from './document-samples/gupshup.ts';
import { kaleyraSamples } from './document-samples/kaleyra.ts';
import { livechatSamples } from './document-samples/livechat.ts';
import { livetokSamples } from './document-samples/livetok.ts';
import { loopwaveSamples } from './document-samples/loopwave.ts';
import type { DocumentSample } from './document-samples/types.ts';

const SAMPLES: Record<ProviderName, DocumentSample[]> = {
  livetok: livetokSamples,
  livechat: livechatSamples,
  gupshup: gupshupSamples,
  loopwave: loopwaveSamples,
  kaleyra: kaleyraSamples,
};

function filled(sample: DocumentSample): string {
  let text = sample.printed ?? '';
  for (const [placeholder, value] of Object.entries(sample.placeholders ?? {})) {
    expect(text, `placeholder ${placeholder} is in the printed sample`).toContain(placeholder);
    text = text.split(placeholder).join(value);
  }
  return text;
}

/** A cURL's `--data-urlencode 'name=value'` lines as form fields; a field holding JSON text is read as that JSON. */
function formFields(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const match of text.matchAll(/--data-urlencode '([^=]+)=(.*)'/g)) {
    const [, name, value] = match as unknown as [string, string, string];
    fields[name] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return fields;
}

function parsed(text: string, format: NonNullable<DocumentSample['format']>): unknown {
  if (format === 'text') return text;
  if (format === 'integer') return Number(text);
  if (format === 'form') return formFields(text);
  return JSON.parse(text);
}

/**
 * The sample's value — parsed as printed, or, where the document contradicts itself, as mended —
 * and, for a contradiction of a rule (`breaks: 'schema'`), the value as printed, which the spec must refuse.
 */
function sampleValues(sample: DocumentSample): { value: unknown; refusedAsPrinted?: unknown } {
  const format = sample.format ?? 'json';
  let text = sample.printed === undefined ? JSON.stringify(sample.value) : filled(sample);
  if (sample.printed === undefined)
    for (const [from, to] of Object.entries(sample.placeholders ?? {})) {
      expect(text, `placeholder ${from} is in the transcribed sample`).toContain(from);
      text = text.split(from).join(to);
    }
  const { contradiction } = sample;
  if (!contradiction) return { value: parsed(text, format) };
  expect(text, 'the quoted contradiction is in the sample').toContain(contradiction.quote);
  const mended = parsed(contradiction.mend(text), format);
  if (contradiction.breaks === 'schema') return { value: mended, refusedAsPrinted: parsed(text, format) };
  expect(() => parsed(text, format), 'the contradiction still breaks the sample').toThrow();
  return { value: mended };
}

describe.each(PROVIDERS)('%s: the document’s samples validate against the spec', (provider) => {
  let validators: SpecValidators;
  beforeAll(async () => {
    validators = await specValidators(provider);
  });

  it.each(SAMPLES[provider].map((sample) => [sample.where, sample] as const))('%s', (_where, sample) => {
    const validate = validators.of(sample.against);
    const { value, refusedAsPrinted } = sampleValues(sample);
    expect(validate(value)).toEqual([]);
    if (refusedAsPrinted !== undefined) expect(validate(refusedAsPrinted), sample.contradiction?.reads).not.toEqual([]);
  });
});
