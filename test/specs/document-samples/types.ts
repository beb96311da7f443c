/**
 * A sample printed in a provider document (`../shared/provider-docs/<provider>.txt`, outside the
 * repository), copied here exactly as printed so the spec test can hold the spec to it: every
 * request, answer and callback sample must validate against the spec as printed, with only its
 * placeholders filled — or the sample names the document's own contradiction, quoting it, and
 * the least mend that makes it what the rest of the document says.
 */
import type { SpecPart } from '../../support/spec-validate.ts';

export interface DocumentSample {
  /** Where in the document, by its heading as printed. */
  where: string;
  /** What the spec validates it as. */
  against: SpecPart;
  /**
   * The sample's text exactly as printed: JSON (`format: 'json'`, the default), a plain value
   * (`'text'`: a path, query or header value), or `'integer'` (a query value the spec types as one).
   */
  printed?: string;
  format?: 'json' | 'text' | 'integer' | 'form';
  /**
   * A sample printed as a JavaScript or Python literal (an SDK call), transcribed to its value;
   * used instead of `printed`.
   */
  value?: unknown;
  /** Placeholders as printed → what fills them (a value of the documented type, from the document where it gives one). */
  placeholders?: Readonly<Record<string, string>>;
  /**
   * The document contradicts itself here: the quote, what it breaks, and the least mend. `breaks`
   * says what the sample as printed fails: its format (`'format'`, the default: not JSON) or the
   * rule another part of the document states (`'schema'`: the spec refuses it as printed).
   */
  contradiction?: { quote: string; reads: string; mend: (filled: string) => string; breaks?: 'format' | 'schema' };
}
