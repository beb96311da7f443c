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

/** The sample's value: parsed as printed, or — where the document contradicts itself — as mended. */
export function sampleValue(sample: DocumentSample): unknown {
  if (sample.printed === undefined) {
    if (sample.placeholders) {
      const text = JSON.stringify(sample.value);
      return JSON.parse(Object.entries(sample.placeholders).reduce((at, [from, to]) => at.split(from).join(to), text));
    }
    return sample.value;
  }
  let text = filled(sample);
  const format = sample.format ?? 'json';
  if (sample.contradiction) {
    expect(sample.printed, 'the quoted contradiction is printed in the sample').toContain(sample.contradiction.quote);
    expect(() => (format === 'form' ? formFields(text) : JSON.parse(text)), 'the contradiction still breaks the sample').toThrow();
    text = sample.contradiction.mend(text);
  }
  if (format === 'text') return text;
  if (format === 'integer') return Number(text);
  if (format === 'form') return formFields(text);
  return JSON.parse(text);
}

describe.each(PROVIDERS)('%s: the document’s samples validate against the spec', (provider) => {
  let validators: SpecValidators;
  beforeAll(async () => {
    validators = await specValidators(provider);
  });

  it.each(SAMPLES[provider].map((sample) => [sample.where, sample] as const))('%s', (_where, sample) => {
    expect(validators.of(sample.against)(sampleValue(sample))).toEqual([]);
  });
});
