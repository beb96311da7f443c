/**
 * Status simulation for the local stack — simulated, not real: after a provider mock accepts a
 * send, this plays the provider's side and posts the status callbacks that provider would send
 * (sent, delivered, read; or failed, at a configurable rate), signed or tokened as that provider
 * does, to the local webhook route. LiveTok reports no status; Loopwave only that the message was
 * created. A scenario number (src/local/scenarios.ts) gets its scenario's callbacks instead: a
 * failure with a given code, a late `sent`, every callback twice, or all of them before the send
 * is answered.
 */
import { DEV_KITS, type Callback, type CallbackFacts } from '../providers/dev.ts';
import { LocalStackError } from '../errors.ts';
import type { ProviderName } from '../providers/names.ts';
import { playFor, type CallbackPlay } from './scenarios.ts';

export type { Callback, CallbackFacts } from '../providers/dev.ts';

/** The callback `provider` sends about one message, as its documents (or public docs) show it (its dev kit's `simulator`). */
export function providerCallback(provider: ProviderName, facts: CallbackFacts): Callback {
  const simulator = DEV_KITS[provider].simulator;
  if (!simulator) throw new LocalStackError(`${provider} sends no status callbacks`);
  return simulator.callback(facts);
}

/** One callback to post: the provider's status word, and the time (Unix seconds) it reports. */
interface Step {
  status: string;
  at: number;
}

/** The callbacks a provider posts about one message it took, in posting order. */
function stepsFor(words: { delivered: readonly string[]; failed: readonly string[] }, play: CallbackPlay, start: number): Step[] {
  const steps = (play.failWith ? words.failed : words.delivered).map((status, i) => ({ status, at: start + i }));
  if (play.lateSent) {
    // `sent` comes last, with the time it happened (before the others).
    const sent = steps.findIndex((step) => step.status === 'sent');
    if (sent >= 0) steps.push(...steps.splice(sent, 1));
  }
  return play.twice ? steps.flatMap((step) => [step, step]) : steps;
}

export interface SimulatorOptions {
  /** The local webhook route's base, e.g. `http://127.0.0.1:3000/v1/webhooks`. */
  webhookBase: string;
  /** Per provider: the local account and its webhook secret. */
  accounts: Partial<Record<ProviderName, { account: string; secret: string }>>;
  /** Share of messages that fail instead of being delivered. @default 0 */
  failureRate?: number;
  /** Milliseconds between the callbacks of one message. @default 700 */
  stepMs?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

export class CallbackSimulator {
  private readonly options: SimulatorOptions;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Callbacks posted and answered 2xx so far. */
  delivered = 0;

  /** Callbacks scheduled and not yet posted. */
  get pending(): number {
    return this.timers.size;
  }

  constructor(options: SimulatorOptions) {
    this.options = options;
  }

  /**
   * Hook for `startProviderMock({ beforeReply })` (or `onAnswered`) of `provider`: schedules the
   * callbacks of an accepted send; for a scenario whose callbacks come before the answer, posts
   * them and resolves once they are in.
   */
  listener(provider: ProviderName) {
    return (answer: { method: string; status: number; requestBody: string; responseBody: unknown }): Promise<void> | undefined => {
      if (answer.method !== 'post' || answer.status >= 300) return undefined;
      const target = this.options.accounts[provider];
      const { mock, simulator } = DEV_KITS[provider];
      if (!target || !simulator) return undefined;
      const recipient = mock.recipientOf(answer.requestBody);
      const sent = recipient === undefined ? undefined : simulator.sentMessage(answer.requestBody, answer.responseBody, recipient);
      if (!sent?.providerMessageId) return undefined;
      const scenario = playFor(provider, sent.recipient);
      // Scenario numbers are deterministic: the random failure rate is for the others.
      const fails = !scenario && (this.options.random ?? Math.random)() < (this.options.failureRate ?? 0);
      // Undeliverable: Meta's 131026, or the provider's own (Gupshup's 1002).
      const play: CallbackPlay = scenario ? (scenario.play.callbacks ?? {}) : fails ? { failWith: simulator.undeliverable } : {};
      const steps = stepsFor(simulator.words, play, Math.ceil(Date.now() / 1000));
      const report = (error: unknown) => this.options.onError?.(error);
      const postNow = (callback: Callback) => this.post(provider, target, callback).then(() => undefined, report);
      // A repeated step is the same request again, byte for byte (signature and webhook id too).
      const error = play.failWith ? { error: play.failWith } : {};
      const build = (step: Step) => this.callback(provider, target, { ...sent, ...step, ...error });
      const callbacks = new Map<Step, Callback>(steps.map((step) => [step, build(step)]));
      if (play.beforeAnswer) {
        return steps.reduce<Promise<void>>((previous, step) => previous.then(() => postNow(callbacks.get(step)!)), Promise.resolve());
      }
      const stepMs = this.options.stepMs ?? 700;
      for (const [i, step] of steps.entries()) this.later((i + 1) * stepMs, () => this.post(provider, target, callbacks.get(step)!));
      return undefined;
    };
  }

  private later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run().catch((error: unknown) => this.options.onError?.(error));
    }, ms);
    this.timers.add(timer);
  }

  private callback(provider: ProviderName, target: { account: string; secret: string }, facts: Omit<CallbackFacts, 'secret'>): Callback {
    return providerCallback(provider, { ...facts, secret: target.secret });
  }

  private async post(provider: ProviderName, target: { account: string; secret: string }, callback: Callback): Promise<void> {
    const url = `${this.options.webhookBase}/${provider}/${target.account}${callback.pathSuffix}`;
    const headers = { 'content-type': 'application/json', ...callback.headers };
    const response = await fetch(url, { method: 'POST', headers, body: callback.body });
    if (!response.ok) throw new LocalStackError(`simulated ${provider} callback answered ${response.status}`);
    this.delivered++;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
