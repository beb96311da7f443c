/** What every fuzzed endpoint provides to the runner. */
import type fc from 'fast-check';
import type { RawResponse } from './client.ts';
import type { Case, Step } from './oracle.ts';
import type { FuzzStack } from './stack.ts';

export interface RunContext {
  stack: FuzzStack;
  /** A fresh suffix (idempotency keys, provider ids) unique within the process. */
  unique(): string;
  /** A request outside the figures (reading back what a case did). */
  call(method: string, path: string, body?: unknown, key?: string): Promise<RawResponse>;
}

export interface CaseOptions {
  /** Sizes (bytes) of the bodies over the API's size limit to send, one request each (a fixed case, not sampled). */
  oversize: readonly number[];
}

/**
 * `accept`: refused requests must write no message record and no idempotency key.
 * `messages`: refused requests must change no existing record (reads, cancels).
 * `webhook`: refused callbacks must change no message and keep no callback.
 */
export type EndpointKind = 'accept' | 'messages' | 'webhook';

export interface Endpoint<I> {
  name: string;
  kind: EndpointKind;
  cases(options: CaseOptions): fc.Arbitrary<Case<I>>;
  /**
   * Fixed inputs run first, every time, before the sampled cases: those that broke this endpoint
   * once (issue 12), and bodies over the size limit (a handful per run, not a share of the cases).
   */
  regressions?(options: CaseOptions): Array<Case<I>>;
  steps(c: Case<I>, ctx: RunContext): Step[] | Promise<Step[]>;
}
