/**
 * Status simulation for the local stack — simulated, not real: after a provider mock accepts a
 * send, this plays the provider's side and posts the status callbacks that provider would send
 * (sent, delivered, read; or failed, at a configurable rate), signed or tokened as that provider
 * does, to the local webhook route. LiveTok reports no status; Loopwave only that the message was
 * created.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { ProviderName } from '../providers/names.ts';

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
  switch (provider) {
    case 'livechat': {
      const body = JSON.stringify({
        type: 'message.status',
        timestamp: new Date(at * 1000).toISOString(),
        data: { id, status, timestamp: at, recipient_id: recipient, ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }] } : {}) },
      });
      const webhookId = `msg_${randomBytes(8).toString('hex')}`;
      const now = facts.now ?? new Date();
      return { pathSuffix: '', body, headers: { 'webhook-id': webhookId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(facts.secret).sign(webhookId, now, body) } };
    }
    case 'gupshup': {
      const inner = status === 'failed' ? { code: 1002, reason: 'Number does not exist on WhatsApp' } : status === 'enqueued' ? { whatsappMessageId: `wamid.${id}` } : { ts: at };
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
          value: { messaging_product: 'whatsapp', statuses: [{ id: `wamid.${id}`, status, timestamp: String(at), recipient_id: recipient, ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}) }] },
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
  try {
    switch (provider) {
      case 'livechat': {
        const body = JSON.parse(request) as { to: string };
        return { providerMessageId: `wamid.SIM${randomBytes(10).toString('hex')}`, recipient: body.to };
      }
      case 'gupshup':
        return { providerMessageId: String(answer.messageId), recipient: new URLSearchParams(request).get('destination') ?? '' };
      case 'kaleyra': {
        const body = JSON.parse(request) as { messaging_object: { to: string }; extra_info?: { ref?: string } };
        return { providerMessageId: String(answer.data?.message_id), recipient: body.messaging_object.to, ...(body.extra_info?.ref ? { messageId: body.extra_info.ref } : {}) };
      }
      case 'loopwave': {
        const body = JSON.parse(request) as { to: string };
        return { providerMessageId: `SIM${randomBytes(6).toString('hex')}`, recipient: body.to.split('@')[0]! };
      }
      case 'livetok':
        return undefined;
    }
  } catch {
    return undefined;
  }
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

  /** Hook for `startProviderMock({ onAnswered })` of `provider`. */
  listener(provider: ProviderName) {
    return (answer: { method: string; status: number; requestBody: string; responseBody: unknown }) => {
      if (answer.method !== 'post' || answer.status >= 300) return;
      const target = this.options.accounts[provider];
      if (!target || provider === 'livetok') return;
      const sent = sentMessage(provider, answer.requestBody, answer.responseBody);
      if (!sent || !sent.providerMessageId || sent.providerMessageId === 'undefined') return;
      const fails = (this.options.random ?? Math.random)() < (this.options.failureRate ?? 0);
      const steps = provider === 'loopwave' ? ['sent'] : fails ? ['sent', 'failed'] : ['sent', 'delivered', 'read'];
      if (provider === 'gupshup') steps.unshift('enqueued');
      steps.forEach((status, i) => this.later((i + 1) * (this.options.stepMs ?? 700), () => this.post(provider, target, { ...sent, status })));
    };
  }

  private later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run().catch((error: unknown) => this.options.onError?.(error));
    }, ms);
    this.timers.add(timer);
  }

  private async post(provider: ProviderName, target: { account: string; secret: string }, message: { status: string; providerMessageId: string; messageId?: string; recipient: string }): Promise<void> {
    const callback = providerCallback(provider, { ...message, at: Math.ceil(Date.now() / 1000), secret: target.secret });
    const response = await fetch(`${this.options.webhookBase}/${provider}/${target.account}${callback.pathSuffix}`, { method: 'POST', headers: { 'content-type': 'application/json', ...callback.headers }, body: callback.body });
    if (!response.ok) throw new Error(`simulated ${provider} callback answered ${response.status}`);
    this.delivered++;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
