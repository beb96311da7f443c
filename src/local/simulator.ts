/**
 * Status simulation for the local stack — simulated, not real: after a provider mock accepts a
 * send, this plays the provider's side and posts the status callbacks that provider would send
 * (sent, delivered, read; or failed, at a configurable rate), signed or tokened as that provider
 * does, to the local webhook route. LiveTok reports no status; Loopwave only that the message was
 * created. A scenario number (src/local/scenarios.ts) gets its scenario's callbacks instead: a
 * failure with a given code, a late `sent`, every callback twice, or all of them before the send
 * is answered.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import type { ProviderName } from '../providers/names.ts';
import { playFor, type CallbackPlay, type ScenarioError } from './scenarios.ts';

const META_UNDELIVERABLE: ScenarioError = { code: 131026, title: 'Message undeliverable' };
const GUPSHUP_UNDELIVERABLE: ScenarioError = { code: 1002, title: 'Number does not exist on WhatsApp' };

export interface CallbackFacts {
  /** The word for the provider's status: sent, delivered, read, failed (enqueued for Gupshup). */
  status: string;
  /** The provider's id of the message (its send answer's, or the WhatsApp id where there is none). */
  providerMessageId: string;
  /** Ours, where the provider echoes it (Kaleyra `extra_info.ref`). */
  messageId?: string;
  /** The recipient in digits (no `+`). */
  recipient: string;
  /** Unix seconds. */
  at: number;
  /** The account's webhook secret (LiveChat, Loopwave) or token (Gupshup, Kaleyra). */
  secret: string;
  /** When the callback is sent, for the signature (LiveChat). */
  now?: Date;
  /** The error of a `failed` status; default: undeliverable (Meta 131026, Gupshup 1002). */
  error?: ScenarioError;
}

export interface Callback {
  /** Relative to the webhook route of the account: `/v1/webhooks/<provider>/<account>`. */
  pathSuffix: string;
  body: string;
  headers: Record<string, string>;
}

/** The callback `provider` sends about one message, as its documents (or public docs) show it. */
export function providerCallback(provider: ProviderName, facts: CallbackFacts): Callback {
  const { status, providerMessageId: id, recipient, at } = facts;
  const metaError = facts.error ?? META_UNDELIVERABLE;
  switch (provider) {
    case 'livechat': {
      const body = JSON.stringify({
        type: 'message.status',
        timestamp: new Date(at * 1000).toISOString(),
        data: { id, status, timestamp: at, recipient_id: recipient, ...(status === 'failed' ? { errors: [{ code: metaError.code, title: metaError.title, message: metaError.title }] } : {}) },
      });
      const webhookId = `msg_${randomBytes(8).toString('hex')}`;
      const now = facts.now ?? new Date();
      return { pathSuffix: '', body, headers: { 'webhook-id': webhookId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(facts.secret).sign(webhookId, now, body) } };
    }
    case 'gupshup': {
      const failure = facts.error ?? GUPSHUP_UNDELIVERABLE;
      const inner = status === 'failed' ? { code: failure.code, reason: failure.title } : status === 'enqueued' ? { whatsappMessageId: `wamid.${id}` } : { ts: at };
      const ids = status === 'enqueued' ? { id } : { id: `wamid.${id}`, gsId: id };
      const body = JSON.stringify({ app: 'DemoApp', timestamp: at * 1000, version: 2, type: 'message-event', payload: { ...ids, type: status, destination: recipient, payload: inner } });
      return { pathSuffix: `/${facts.secret}`, body, headers: {} };
    }
    case 'kaleyra': {
      const body = JSON.stringify({
        message_id: id,
        status: status.toUpperCase(),
        meta_object: {
          field: 'messages',
          value: { messaging_product: 'whatsapp', statuses: [{ id: `wamid.${id}`, status, timestamp: String(at), recipient_id: recipient, ...(status === 'failed' ? { errors: [{ code: metaError.code, title: metaError.title }] } : {}) }] },
        },
        extra_info: { message_id: id, ...(facts.messageId ? { ref: facts.messageId } : {}) },
      });
      return { pathSuffix: '', body, headers: { 'x-webhook-token': facts.secret } };
    }
    case 'loopwave': {
      const body = JSON.stringify({
        event: 'message.created',
        timestamp: new Date(at * 1000).toISOString(),
        data: { messageId: id, sessionId: 'n1a2b3c', chatId: `${recipient}@s.whatsapp.net`, body: '(text)', type: 'chat', author: 'n1a2b3c', fromMe: true, hasMedia: false, timestamp: at },
      });
      return { pathSuffix: '', body, headers: { 'x-loopwave-signature': `sha256=${createHmac('sha256', facts.secret).update(body).digest('hex')}` } };
    }
    case 'livetok':
      throw new Error('LiveTok sends no status callbacks');
  }
}

/** What a send answer and its request tell about the message, per provider. */
function sentMessage(provider: ProviderName, request: string, response: unknown): { providerMessageId: string; messageId?: string; recipient: string } | undefined {
  const answer = (response ?? {}) as Record<string, any>;
  const recipient = MOCKED_PROVIDERS[provider].recipientOf(request);
  if (!recipient) return undefined;
  switch (provider) {
    case 'livechat':
      // No id in LiveChat's answer: the WhatsApp id its callbacks carry is made up here.
      return { providerMessageId: `wamid.SIM${randomBytes(10).toString('hex')}`, recipient };
    case 'gupshup':
      return typeof answer.messageId === 'string' ? { providerMessageId: answer.messageId, recipient } : undefined;
    case 'kaleyra': {
      const id: unknown = answer.data?.message_id;
      if (typeof id !== 'string') return undefined;
      let ref: unknown;
      try {
        ref = (JSON.parse(request) as { extra_info?: { ref?: unknown } }).extra_info?.ref;
      } catch {
        ref = undefined;
      }
      return { providerMessageId: id, recipient, ...(typeof ref === 'string' ? { messageId: ref } : {}) };
    }
    case 'loopwave':
      return { providerMessageId: `SIM${randomBytes(6).toString('hex')}`, recipient };
    case 'livetok':
      return undefined;
  }
}

/** One callback to post: the provider's status word, and the time (Unix seconds) it reports. */
interface Step {
  status: string;
  at: number;
}

/** The callbacks a provider posts about one message it took, in posting order. */
function stepsFor(provider: ProviderName, play: CallbackPlay, start: number): Step[] {
  if (provider === 'livetok') return [];
  const words = provider === 'loopwave' ? ['sent'] : play.failWith ? ['sent', 'failed'] : ['sent', 'delivered', 'read'];
  if (provider === 'gupshup') words.unshift('enqueued');
  const steps = words.map((status, i) => ({ status, at: start + i }));
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
      if (!target || provider === 'livetok') return undefined;
      const sent = sentMessage(provider, answer.requestBody, answer.responseBody);
      if (!sent || !sent.providerMessageId) return undefined;
      const scenario = playFor(provider, sent.recipient);
      // Scenario numbers are deterministic: the random failure rate is for the others.
      const fails = !scenario && (this.options.random ?? Math.random)() < (this.options.failureRate ?? 0);
      // Undeliverable: Meta's 131026, Gupshup's own 1002.
      const undeliverable = provider === 'gupshup' ? GUPSHUP_UNDELIVERABLE : META_UNDELIVERABLE;
      const play: CallbackPlay = scenario ? (scenario.play.callbacks ?? {}) : fails ? { failWith: undeliverable } : {};
      const steps = stepsFor(provider, play, Math.ceil(Date.now() / 1000));
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
      steps.forEach((step, i) => this.later((i + 1) * stepMs, () => this.post(provider, target, callbacks.get(step)!)));
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
    if (!response.ok) throw new Error(`simulated ${provider} callback answered ${response.status}`);
    this.delivered++;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
