/**
 * Every error answer the providers document, and every Meta error code a callback can carry, pinned
 * to the retry class the documents (and ../shared/notes/whatsapp-facts.md, section 2) give it —
 * independently of the adapters' readers and of src/providers/errors.ts's table, so an answer put
 * in the wrong class fails here. An answer is the spec's documented example, sent back by a fetch
 * that never touches the network, through the adapter's real send path.
 */
import { AccountConfig } from '../../src/config/accounts.ts';
import { SendRequest, type MessageContent } from '../../src/messages/send-request.ts';
import type { ProviderAdapter } from '../../src/providers/adapter.ts';
import { classifyMetaCode, type PauseScope, type RetryClass } from '../../src/providers/errors.ts';
import { isProviderOptOutCode, providerModule } from '../../src/providers/index.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { FIXTURES } from './providers.ts';
import { loadSpec, responseExamples } from './spec.ts';

/**
 * A class (`backoff`, `pause_sender/account` …), `permanent/sender` (a permanent refusal of the
 * sender, not the recipient or content: another route may carry the message), or `open`: the
 * answer does not prove the message was not sent.
 */
export type Verdict = RetryClass | `${RetryClass}/${PauseScope}` | 'permanent/sender' | 'open';

export interface AnswerRow {
  provider: ProviderName;
  /** The provider's code as documented (or the bare HTTP status where it documents none). */
  code: string;
  status: number;
  /** The spec's example of that answer; none: a bare status (LiveChat documents no bodies). */
  example?: string;
  expected: Verdict;
}

const SEND_PATH: Record<ProviderName, string> = {
  livetok: '/v1/messages/templates',
  livechat: '/whatsapp-numbers/{id}/template-messages',
  gupshup: '/wa/api/v1/template/msg',
  loopwave: '/api/v1/messages',
  kaleyra: '/v2/{sid}/whatsapp/{phone_number}/messages',
};

export const ANSWER_ROWS: readonly AnswerRow[] = [
  // LiveTok: "Error Handling" — its codes, and the statuses it lists.
  { provider: 'livetok', code: 'invalid_phone_number', status: 400, example: 'invalidPhoneNumber', expected: 'permanent' },
  { provider: 'livetok', code: 'invalid_phone_number (format sample)', status: 400, example: 'errorResponseFormat', expected: 'permanent' },
  { provider: 'livetok', code: 'invalid_api_key', status: 401, example: 'invalidApiKey', expected: 'pause_sender/account' },
  {
    provider: 'livetok',
    code: 'insufficient_permissions',
    status: 403,
    example: 'insufficientPermissions',
    expected: 'pause_sender/account',
  },
  // Templates are approved per provider and number: a template unknown here is this sender's.
  { provider: 'livetok', code: 'template_not_found', status: 404, example: 'templateNotFound', expected: 'permanent/sender' },
  { provider: 'livetok', code: 'rate_limit_exceeded', status: 429, example: 'rateLimitExceeded', expected: 'backoff' },
  { provider: 'livetok', code: 'internal_error', status: 500, example: 'internalError', expected: 'open' },
  { provider: 'livetok', code: 'service_unavailable', status: 503, example: 'serviceUnavailable', expected: 'backoff' },
  // LiveChat documents no error answers: the HTTP status alone.
  { provider: 'livechat', code: 'HTTP 400', status: 400, expected: 'permanent' },
  { provider: 'livechat', code: 'HTTP 401', status: 401, expected: 'pause_sender/account' },
  { provider: 'livechat', code: 'HTTP 403', status: 403, expected: 'pause_sender/account' },
  { provider: 'livechat', code: 'HTTP 429', status: 429, expected: 'backoff' },
  { provider: 'livechat', code: 'HTTP 500', status: 500, expected: 'open' },
  // Gupshup: "Status Codes".
  { provider: 'gupshup', code: 'Invalid Destination', status: 400, example: 'invalidDestination', expected: 'permanent' },
  { provider: 'gupshup', code: 'Authentication Failed', status: 401, example: 'authenticationFailed', expected: 'pause_sender/account' },
  // Loopwave: "Error responses".
  { provider: 'loopwave', code: 'invalid_input', status: 400, example: 'invalidInput', expected: 'permanent' },
  { provider: 'loopwave', code: 'invalid_api_key', status: 401, example: 'invalidApiKey', expected: 'pause_sender/account' },
  { provider: 'loopwave', code: 'license_locked', status: 402, example: 'licenseLocked', expected: 'pause_sender/account' },
  { provider: 'loopwave', code: 'insufficient_scope', status: 403, example: 'insufficientScope', expected: 'pause_sender/account' },
  { provider: 'loopwave', code: 'no_ready_session', status: 409, example: 'noReadySession', expected: 'backoff' },
  { provider: 'loopwave', code: 'rate_limited', status: 429, example: 'rateLimited', expected: 'backoff' },
  // Kaleyra: "Failure Responses".
  { provider: 'kaleyra', code: 'WA400', status: 400, example: 'incorrectPayload', expected: 'permanent' },
  { provider: 'kaleyra', code: 'E110', status: 400, example: 'lowBalance', expected: 'pause_sender/account' },
  { provider: 'kaleyra', code: 'RBC001', status: 401, example: 'unauthorized', expected: 'pause_sender/account' },
  { provider: 'kaleyra', code: 'WA401', status: 401, example: 'unauthorizedPhoneNumber', expected: 'pause_sender/account' },
  { provider: 'kaleyra', code: 'WA-401 (account type)', status: 401, example: 'unauthorisedAccountType', expected: 'pause_sender/account' },
  {
    provider: 'kaleyra',
    code: 'WA-401 (number on another version)',
    status: 401,
    example: 'unauthorizedPhoneNumberVersion',
    expected: 'pause_sender/account',
  },
  { provider: 'kaleyra', code: 'WA500', status: 500, example: 'internalServerError', expected: 'open' },
];

/** Meta's error codes as a status callback carries them (whatsapp-facts.md, "Error classes for a sender"). */
export const META_CODE_ROWS: ReadonlyArray<{ code: number; expected: Verdict }> = [
  ...[130429, 131000, 131016, 131057, 4, 80007].map((code) => ({ code, expected: 'backoff' as const })),
  { code: 131056, expected: 'per_recipient' },
  ...[131048, 131031, 368, 131042].map((code) => ({ code, expected: 'pause_sender/account' as const })),
  ...[132015, 132016].map((code) => ({ code, expected: 'pause_sender/template' as const })),
  ...[131026, 131047, 132000, 132012].map((code) => ({ code, expected: 'permanent' as const })),
  // The template does not exist on this business account (name/language, or not approved there): the sender's.
  { code: 132001, expected: 'permanent/sender' },
  // Not in the provider documents: Meta's error-code reference (access token expired, permission
  // missing, access denied, number not registered, certificate invalid). Refusals of the sender.
  ...[190, 10, 200, 131005, 133010, 131045].map((code) => ({ code, expected: 'permanent/sender' as const })),
  { code: 131050, expected: 'opted_out' },
  { code: 131049, expected: 'not_before_24h' },
];

/** Provider codes, beyond Meta's, that mean the recipient opted out (Gupshup's 1012: facts, section 2). */
export const PROVIDER_OPT_OUT_ROWS: ReadonlyArray<{ provider: ProviderName; code: number }> = [{ provider: 'gupshup', code: 1012 }];

/** The verdict of `row`'s answer through `adapter` (default: the provider module's). */
export async function verdictOfAnswer(row: AnswerRow, adapter?: ProviderAdapter<any>): Promise<Verdict> {
  const fixtures = FIXTURES[row.provider];
  const body = row.example
    ? responseExamples(loadSpec(row.provider), SEND_PATH[row.provider], 'post', String(row.status)).find((e) => e.name === row.example)
        ?.value
    : {};
  if (body === undefined) throw new Error(`${row.provider}: no example ${row.example} of ${row.status}`);
  const fetch: typeof globalThis.fetch = async () =>
    new Response(JSON.stringify(body), { status: row.status, headers: { 'content-type': 'application/json' } });
  const account = AccountConfig.parse({ ...fixtures.account, baseUrl: 'http://127.0.0.1:9' });
  const content = SendRequest.shape.content.parse(fixtures.content) as MessageContent;
  const message = { messageId: '01JD0000000000000000000000', recipient: '+919812345678', content };
  const result = await (adapter ?? providerModule(row.provider).adapter).send(message, account as never, {
    credential: fixtures.credential,
    fetch,
  });
  if (result.outcome === 'unknown') return 'open';
  if (result.outcome !== 'rejected') throw new Error(`${row.provider} ${row.code}: accepted`);
  const { retryClass, pauseScope, senderRefused } = result.error;
  if (retryClass === 'permanent' && senderRefused) return 'permanent/sender';
  return retryClass === 'pause_sender' && pauseScope ? `${retryClass}/${pauseScope}` : retryClass;
}

export function verdictOfMetaCode(code: number, classify = classifyMetaCode): Verdict {
  const { retryClass, pauseScope, sender } = classify(code);
  if (retryClass === 'permanent' && sender) return 'permanent/sender';
  return retryClass === 'pause_sender' ? `${retryClass}/${pauseScope ?? 'account'}` : retryClass;
}

/** Each answer of `provider` whose verdict is not the documented one, through `adapter`. */
export async function answerClassViolations(provider: ProviderName, adapter?: ProviderAdapter<any>): Promise<string[]> {
  const violations: string[] = [];
  for (const row of ANSWER_ROWS.filter((r) => r.provider === provider)) {
    const verdict = await verdictOfAnswer(row, adapter);
    if (verdict !== row.expected) violations.push(`${provider} ${row.code} (${row.status}): ${verdict}, expected ${row.expected}`);
  }
  return violations;
}

export { isProviderOptOutCode };
