/**
 * The live drift check of one provider: each safe operation of its kit (./kits.ts) is called as the
 * spec describes it and its answer checked against the spec (./answer.ts); with a recipient, one
 * real message is sent through the provider's own adapter — the pipeline's code path — and that
 * answer checked too. Nothing here prints: the report is data (./report.ts writes it).
 */
import { randomBytes } from 'node:crypto';
import type { AccountBase } from '../config/account-fields.ts';
import { newMessageId } from '../messages/queue-message.ts';
import type { MessageContent } from '../messages/send-request.ts';
import { maskPhone } from '../privacy/recipient.ts';
import type { SendResult } from '../providers/adapter.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { providerModule } from '../providers/index.ts';
import type { ProviderName } from '../providers/names.ts';
import { AnswerChecker, type Answer, type Finding } from './answer.ts';
import type { LiveCheck, LiveRequest } from './kit.ts';
import { LIVE_KITS } from './kits.ts';
import { buildRequest, loadSpec, type ProviderSpec } from './spec.ts';

export interface VerifyTarget {
  provider: ProviderName;
  /** Where the API is: an origin (or an origin and a base path). */
  baseUrl: string;
  /** One of our local mocks (a loopback address): the wrong-credential probes carry no credential (Prism checks presence only). */
  mock: boolean;
  /** The account, as its provider's schema parsed it. */
  account: AccountBase;
  credential: string;
  /** A real message to send (`--send-to`): the recipient in E.164 and its content. */
  send?: { to: string; content: MessageContent };
  fetch?: typeof globalThis.fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/**
 * ok: the answer is the spec's; additive: it is, with fields the spec does not know; drift: it
 * breaks the spec; error: the check could not say (unreachable, a refused credential, a rate
 * limit, a provider failure); skipped: not run, and why.
 */
export type Outcome = 'ok' | 'additive' | 'drift' | 'error' | 'skipped';

export interface OperationReport {
  check: string;
  kind: 'read' | 'probe' | 'send';
  operationId: string;
  /** The operation's method and path template, never the URL (it can hold account ids). */
  method: string;
  path: string;
  outcome: Outcome;
  status?: number;
  findings: Finding[];
  /** Why it was skipped or could not say; what was sent; how a mock was probed. */
  note?: string;
}

export interface VerifyReport {
  provider: ProviderName;
  baseUrl: string;
  target: 'mock' | 'provider';
  startedAt: string;
  /** ok: no drift and every check said something; drift: at least one drifted; incomplete: no drift, but a check could not say. */
  result: 'ok' | 'drift' | 'incomplete';
  exitCode: 0 | 1 | 3;
  operations: OperationReport[];
}

export async function verifyProvider(target: VerifyTarget, spec?: ProviderSpec): Promise<VerifyReport> {
  const startedAt = new Date().toISOString();
  const loaded = spec ?? (await loadSpec(target.provider));
  const checker = new AnswerChecker();
  const operations: OperationReport[] = [];
  for (const check of LIVE_KITS[target.provider].checks) operations.push(await runCheck(target, loaded, checker, check));
  operations.push(await runSend(target, loaded, checker));
  const drifted = operations.some((operation) => operation.outcome === 'drift');
  const failed = operations.some((operation) => operation.outcome === 'error');
  const result = drifted ? 'drift' : failed ? 'incomplete' : 'ok';
  return {
    provider: target.provider,
    baseUrl: target.baseUrl,
    target: target.mock ? 'mock' : 'provider',
    startedAt,
    result,
    exitCode: result === 'drift' ? 1 : result === 'incomplete' ? 3 : 0,
    operations,
  };
}

/** A credential no provider issued, of no provider's form. */
const wrongCredential = () => `wapk-verify-wrong-${randomBytes(12).toString('hex')}`;

async function runCheck(
  target: VerifyTarget,
  spec: ProviderSpec,
  checker: AnswerChecker,
  check: LiveCheck<AccountBase>,
): Promise<OperationReport> {
  const operation = spec.operation(check.operationId);
  const base = { check: check.name, kind: check.kind, operationId: operation.operationId, method: operation.method, path: operation.path };
  let request: LiveRequest;
  try {
    request = check.request(target.account);
  } catch (error) {
    return { ...base, outcome: 'skipped', findings: [], note: `could not build the request: ${(error as Error).message}` };
  }
  const probe = check.kind === 'probe' ? check : undefined;
  const omitted = probe?.credential === 'wrong' && target.mock;
  const credential = probe?.credential === 'wrong' ? (target.mock ? undefined : wrongCredential()) : target.credential;
  const note = omitted ? 'sent without a credential: the mock (Prism) checks that one is there, not that it is right' : undefined;
  const { url, init } = buildRequest(spec, operation, target.baseUrl, request, credential);
  const answer = await exchange(target, url, init);
  if ('error' in answer) return { ...base, outcome: 'error', findings: [], note: answer.error };
  const checked = checker.check(operation, answer);
  if (isTransient(answer.status) && answer.status !== probe?.expect.status)
    return transientAnswer(base, answer, checked.response !== undefined, note);
  const findings = [...checked.findings];
  if (probe) {
    if (answer.status === probe.expect.status) {
      const code = probe.expect.code;
      const found = code ? valueAt(checked.json, code.pointer) : undefined;
      if (code && !code.values.includes(String(found))) {
        findings.push({
          kind: 'drift',
          in: 'body',
          path: code.pointer,
          rule: 'code',
          message: `${JSON.stringify(found ?? null)}, where the documented answer to a ${check.name} is ${code.values.join(' or ')}`,
        });
      }
    } else if (!findings.some((finding) => finding.in === 'status')) {
      findings.unshift({
        kind: 'drift',
        in: 'status',
        path: '',
        rule: 'status',
        message: `HTTP ${answer.status}, where the documented answer to a ${check.name} is ${probe.expect.status}`,
      });
    }
  }
  const expected = probe ? { statuses: [probe.expect.status] } : { refusalIsDrift: true };
  return withOutcome({ ...base, status: answer.status, findings, ...(note ? { note } : {}) }, answer, expected);
}

/** The real send, through the provider's adapter, when asked for (`--send-to`); its answer checked like any other. */
async function runSend(target: VerifyTarget, spec: ProviderSpec, checker: AnswerChecker): Promise<OperationReport> {
  const declared = DEV_KITS[target.provider].mock.send;
  const sendOperation = spec.operations.find((op) => op.method === declared.method.toUpperCase() && declared.path.test(op.path));
  const base = {
    check: 'send',
    kind: 'send' as const,
    operationId: sendOperation?.operationId ?? 'send',
    method: sendOperation?.method ?? declared.method.toUpperCase(),
    path: sendOperation?.path ?? '',
  };
  if (!target.send) return { ...base, outcome: 'skipped', findings: [], note: 'no --send-to: a real message is sent only when asked' };
  const exchanges: Array<{ method: string; url: string; answer: Answer }> = [];
  const capture: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await (target.fetch ?? globalThis.fetch)(request);
    const copy = response.clone();
    exchanges.push({
      method: request.method,
      url: request.url,
      answer: { status: copy.status, headers: copy.headers, body: await copy.text() },
    });
    return response;
  };
  const account = { ...target.account, baseUrl: target.baseUrl };
  const message = { messageId: newMessageId(), recipient: target.send.to, content: target.send.content };
  let result: SendResult;
  try {
    result = await providerModule(target.provider).forAnyAccount.send(message, account, { credential: target.credential, fetch: capture });
  } catch (error) {
    return { ...base, outcome: 'error', findings: [], note: `the adapter failed: ${(error as Error).message}` };
  }
  const to = `to ${maskPhone(target.send.to)}`;
  const sent = exchanges.at(-1);
  if (!sent) return { ...base, outcome: 'error', findings: [], note: `${to}: no answer (${describeResult(result)})` };
  const basePath = new URL(target.baseUrl).pathname.replace(/\/+$/, '');
  const path = new URL(sent.url).pathname.slice(basePath.length);
  const operation = spec.match(sent.method, path);
  if (!operation) {
    const note = `${to}: the adapter called ${sent.method} ${path}, which the spec does not have`;
    return { ...base, outcome: 'error', findings: [], note };
  }
  const checked = checker.check(operation, sent.answer);
  if (isTransient(sent.answer.status)) {
    const report = { ...base, operationId: operation.operationId, method: operation.method, path: operation.path };
    return transientAnswer(report, sent.answer, checked.response !== undefined, `${to}: ${describeResult(result)}`);
  }
  return withOutcome(
    {
      ...base,
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      status: sent.answer.status,
      findings: checked.findings,
      note: `${to}: ${describeResult(result)}`,
    },
    sent.answer,
    // The send's own content (a template the account lacks) can be refused: that is not drift.
    { refusalIsDrift: false },
  );
}

function describeResult(result: SendResult): string {
  if (result.outcome === 'accepted')
    return `${result.status}${result.providerMessageId ? `, provider id ${result.providerMessageId}` : ''}`;
  // The provider's own words, which could echo the recipient.
  if (result.outcome === 'rejected') return `rejected: ${maskNumbers(result.error.message)}`;
  return `outcome unknown: ${maskNumbers(result.reason)}`;
}

/**
 * The outcome from the findings and the status: drift if any finding is; otherwise a 2xx (or the
 * status a probe expects) is ok or additive; a documented 400 or 422 to a read the spec allows is
 * drift (the provider wants something the spec does not say); any other documented error says
 * nothing about the shape of a success: error, with what it means.
 */
function withOutcome(
  report: Omit<OperationReport, 'outcome'>,
  answer: Answer,
  expected: { statuses: readonly number[] } | { refusalIsDrift: boolean },
): OperationReport {
  const findings = report.findings;
  if (findings.some((finding) => finding.kind === 'drift')) return { ...report, outcome: 'drift' };
  const status = answer.status;
  const wanted = 'statuses' in expected ? expected.statuses.includes(status) : status >= 200 && status < 300;
  if (wanted) return { ...report, outcome: findings.length > 0 ? 'additive' : 'ok' };
  const said = excerpt(answer.body);
  if ('refusalIsDrift' in expected && expected.refusalIsDrift && (status === 400 || status === 422)) {
    return {
      ...report,
      outcome: 'drift',
      findings: [
        {
          kind: 'drift',
          in: 'status',
          path: '',
          rule: 'refused',
          message: `HTTP ${status}: the provider refused a request the spec allows${said ? ` (it said: ${said})` : ''}`,
        },
        ...findings,
      ],
    };
  }
  const why =
    MEANING[status] ??
    (status >= 500 ? 'the provider failed; try again later' : `a documented error answer${said ? ` (it said: ${said})` : ''}`);
  const note = [report.note, `HTTP ${status}: ${why}`].filter(Boolean).join('; ');
  return { ...report, outcome: 'error', note };
}

/**
 * A rate limit or a provider failure (429, 5xx) says nothing about the API's shape, documented or
 * not (a gateway's 502 page is not drift): the check could not say.
 */
function transientAnswer(
  report: Omit<OperationReport, 'outcome' | 'findings'>,
  answer: Answer,
  documented: boolean,
  note?: string,
): OperationReport {
  const why = answer.status === 429 ? MEANING[429] : 'the provider failed; try again later';
  const undocumented = documented ? '' : ' (a status the spec does not document)';
  const said = [note, `HTTP ${answer.status}: ${why}${undocumented}`].filter(Boolean).join('; ');
  return { ...report, status: answer.status, outcome: 'error', findings: [], note: said };
}

const MEANING: Record<number, string> = {
  401: 'the credential was refused (check WAPK_LIVE_CREDENTIAL and the account fields)',
  403: 'the credential may not do this (a scope or permission is missing)',
  404: 'not found (check the account fields)',
  429: 'rate limited; try again later',
};

const isTransient = (status: number) => status === 429 || status >= 500;

/**
 * The start of an error answer's body, on one line (error answers say what they want). A number
 * that could be a phone number is masked, in case the provider echoes the recipient.
 */
function excerpt(body: string): string {
  return maskNumbers(body.replace(/\s+/g, ' ').trim().slice(0, 200));
}

/** Every run of seven digits or more (a phone number, perhaps) masked as logs show numbers. */
const maskNumbers = (text: string) => text.replace(/\+?\d{7,}/g, (digits) => maskPhone(digits));

async function exchange(target: VerifyTarget, url: string, init: RequestInit): Promise<Answer | { error: string }> {
  try {
    const response = await (target.fetch ?? globalThis.fetch)(url, { ...init, signal: AbortSignal.timeout(target.timeoutMs ?? 30_000) });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { error: `no answer from ${new URL(url).origin}: ${cause}` };
  }
}

/** The value at a JSON pointer, if there is one. */
function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!current || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
