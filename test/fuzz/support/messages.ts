/**
 * Send requests for the fuzz suite: valid ones, built from what the README, Meta's limits and the
 * providers' documents say each provider and account takes, and invalid ones, each a valid request
 * with exactly one rule broken and labelled with that rule. Nothing here calls the validator.
 */
import fc from 'fast-check';
import { ACCOUNT_IDS, CAPABILITIES, PROVIDERS, providerOf, registryOf, VALID_PHONES } from './model.ts';
import type { Expect } from './oracle.ts';

export type Message = Record<string, unknown>;
export interface Labelled<T> {
  label: string;
  expect: Expect;
  value: T;
}

const DAY = 86_400_000;

// ---------------------------------------------------------------- strings

/** Printable text without control characters, tabs, new lines or four spaces in a row (Meta refuses those in parameters). */
export const safeText = (min: number, max: number) =>
  fc
    .string({ unit: 'grapheme', minLength: min, maxLength: max })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what the filter keeps out.
    .filter((s) => s.length >= min && s.length <= max && s.trim().length > 0 && !/[\u0000-\u001f\u007f]| {4}/.test(s));

/** `length` copies of one ASCII character: sizes at and past a limit, shrinking by length. */
const ascii = (min: number, max: number) => fc.tuple(fc.constantFrom('x', '7', 'Q'), fc.integer({ min, max })).map(([c, n]) => c.repeat(n));

/** Mostly short text, sometimes right up to the limit. */
const textUpTo = (max: number) =>
  fc.oneof({ arbitrary: safeText(1, Math.min(max, 40)), weight: 8 }, { arbitrary: ascii(Math.max(1, max - 8), max), weight: 1 });

const templateName = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9_]{1,40}$/), weight: 9 },
  { arbitrary: fc.constant('t'.repeat(512)), weight: 1 },
);
const language = fc.constantFrom('en', 'en_US', 'en_GB', 'pt_BR', 'es', 'es_MX', 'hi', 'id', 'fil', 'zh_CN');
const mediaLink = fc
  .tuple(
    fc.constantFrom('https://cdn.example.com/', 'https://example.org/files/', 'http://img.example.net/a/'),
    fc.stringMatching(/^[a-z0-9]{1,12}$/),
    fc.constantFrom('.png', '.jpg', '.pdf', '.mp4', ''),
  )
  .map(([base, name, ext]) => `${base}${name}${ext}`);
const mediaId = fc.stringMatching(/^[0-9]{6,20}$/);

/** ISO-8601 with an offset (Z, +05:30, -08:00), optionally with milliseconds. */
export const isoDateTime = (fromMs: number, toMs: number) =>
  fc.tuple(fc.integer({ min: fromMs, max: toMs }), fc.constantFrom(0, 330, -480, 60), fc.boolean()).map(([ms, offsetMin, millis]) => {
    const local = new Date(ms + offsetMin * 60_000).toISOString();
    const text = millis ? local : `${local.slice(0, 19)}${local.slice(23)}`;
    if (offsetMin === 0) return text;
    const sign = offsetMin > 0 ? '+' : '-';
    const abs = Math.abs(offsetMin);
    return `${text.slice(0, -1)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });

// ---------------------------------------------------------------- valid requests

/** A recipient valid by libphonenumber's example metadata, written as E.164, digits only, or grouped. */
export const recipient = fc
  .tuple(fc.constantFrom(...VALID_PHONES), fc.constantFrom('e164', 'digits', 'spaced', 'dashed'))
  .map(([phone, format]) => {
    const cc = phone.country;
    const n = phone.national;
    switch (format) {
      case 'e164':
        return phone.e164;
      case 'digits':
        return phone.e164.slice(1);
      case 'spaced':
        return `${cc} ${n.slice(0, 4)} ${n.slice(4)}`;
      default:
        return `${cc}-${n.slice(0, 3)}-${n.slice(3)}`;
    }
  });

/**
 * The keys the README reserves (refused by name, never stored): `__proto__`, `constructor`, `prototype`.
 * Other names of `Object.prototype` members are ordinary keys, stored verbatim.
 */
export const RESERVED_METADATA_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Metadata within the documented rules (at most 10 keys of 1–64 characters, values up to 256), JS-prototype member names included. */
export const metadata = fc.dictionary(
  fc
    .oneof(
      { arbitrary: safeText(1, 64), weight: 6 },
      { arbitrary: fc.constantFrom('toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'), weight: 1 },
    )
    .filter((k) => !RESERVED_METADATA_KEYS.includes(k)),
  fc.oneof(
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => s.length <= 256), weight: 6 },
    { arbitrary: ascii(250, 256), weight: 1 },
  ),
  { maxKeys: 10, noNullPrototype: true },
);

function header(provider: keyof typeof CAPABILITIES) {
  const caps = CAPABILITIES[provider];
  const media = fc
    .constantFrom(...caps.mediaBy)
    .chain((by): fc.Arbitrary<Message> => (by === 'id' ? mediaId.map((id) => ({ id })) : mediaLink.map((link) => ({ link }))));
  const options = caps.headers.map((type) => {
    if (type === 'text') return textUpTo(60).map((text) => ({ type, text }));
    if (type === 'document' && caps.documentFilename) {
      return fc.record({ type: fc.constant(type), media, filename: safeText(1, 40) }, { requiredKeys: ['type', 'media'] });
    }
    return media.map((m) => ({ type, media: m }));
  });
  return options.length ? fc.oneof(...options) : undefined;
}

function buttons(provider: keyof typeof CAPABILITIES) {
  const types = CAPABILITIES[provider].buttons;
  if (types.length === 0) return undefined;
  const button = (index: number) =>
    fc.constantFrom(...types).chain((type): fc.Arbitrary<Message> => {
      if (type === 'quick_reply') return safeText(1, 100).map((payload) => ({ type, index, payload }));
      if (type === 'url') return safeText(1, 50).map((text) => ({ type, index, text }));
      return fc.stringMatching(/^[A-Z0-9]{1,15}$/).map((code) => ({ type, index, code }));
    });
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 10 })
    .chain((indexes) => fc.tuple(...indexes.map(button)));
}

const positionalBody = (min: number, max: number) => fc.array(textUpTo(1024), { minLength: min, maxLength: max });
// Named parameters follow the same rule as metadata keys: the reserved names are refused (a case of their own).
const namedBody = fc.dictionary(
  fc.stringMatching(/^[a-z0-9_]{1,20}$/).filter((k) => !RESERVED_METADATA_KEYS.includes(k)),
  textUpTo(1024),
  { minKeys: 1, maxKeys: 8, noNullPrototype: true },
);

/** Content the account can take: its provider's capabilities and, where it has one, its template registry. */
export function content(account: string): fc.Arbitrary<Message> {
  const provider = providerOf(account);
  const caps = CAPABILITIES[provider];
  if (caps.kinds.includes('text')) {
    return fc
      .oneof({ arbitrary: safeText(1, 200), weight: 8 }, { arbitrary: ascii(4000, 4096), weight: 1 })
      .map((text) => ({ kind: 'text', text }));
  }
  const registry = registryOf(account);
  const optional: Record<string, fc.Arbitrary<unknown>> = {};
  const h = header(provider);
  if (h) optional.header = h;
  const b = buttons(provider);
  if (b) optional.buttons = b;
  if (caps.limitedTimeOffer)
    optional.limitedTimeOffer = isoDateTime(Date.now() + DAY, Date.now() + 90 * DAY).map((expiresAt) => ({ expiresAt }));
  const extras = fc.record(optional, { requiredKeys: [] });
  if (registry) {
    return fc.tuple(fc.constantFrom(...registry), extras).chain(([template, rest]) => {
      const body: fc.Arbitrary<unknown> =
        template.namedParameters && caps.namedBody
          ? fc
              .tuple(...template.namedParameters.map(() => textUpTo(1024)))
              .map((values) => Object.fromEntries(template.namedParameters!.map((name, i) => [name, values[i]])))
          : template.bodyParameters > 0
            ? positionalBody(template.bodyParameters, template.bodyParameters)
            : fc.constant(undefined);
      return body.map((value) => ({
        kind: 'template',
        name: template.name,
        language: template.language,
        ...rest,
        ...(value === undefined ? {} : { body: value }),
      }));
    });
  }
  const body = caps.namedBody ? fc.oneof(positionalBody(1, 12), namedBody) : positionalBody(1, 12);
  return fc
    .record({ name: templateName, language, extras, body: fc.option(body, { nil: undefined }) })
    .map(({ name, language: lang, extras: rest, body: value }) => ({
      kind: 'template',
      name,
      language: lang,
      ...rest,
      ...(value === undefined ? {} : { body: value }),
    }));
}

/** A valid send request from one of `accounts`. */
export function validMessage(accounts: readonly string[]): fc.Arbitrary<Message> {
  return fc.constantFrom(...accounts).chain((account) =>
    fc
      .record(
        {
          recipient,
          content: content(account),
          scheduleAt: isoDateTime(Date.now() - 30 * DAY, Date.now() + 300 * DAY),
          metadata,
        },
        { requiredKeys: ['recipient', 'content'] },
      )
      .map((fields) => ({ provider: providerOf(account), account, ...fields })),
  );
}

// ---------------------------------------------------------------- one rule broken

const ENVELOPE_FIELDS = ['provider', 'account', 'recipient', 'content', 'scheduleAt', 'metadata'];

/**
 * Phone numbers no country can have: too short or long, letters, country code 0 or unassigned,
 * a NANP area code starting with 0 or 1, not a string.
 */
const invalidRecipient = fc.constantFrom<unknown>(
  '',
  '12',
  '+1',
  '+91123',
  'abc',
  '+91abcdefghij',
  '+0123456789',
  '+9198123456789012345',
  '+999123456789',
  '+10005550123',
  '+11005550123',
  919812345678,
  null,
  ['+919812345678'],
);
const invalidDateTime = fc.constantFrom<unknown>(
  'tomorrow',
  '2026-12-01',
  '2026-12-01T09:00:00',
  '2026-13-01T00:00:00Z',
  '2026-12-01 09:00:00+01:00',
  '',
  1733000000,
  null,
);

type Breaker = (message: Message, account: string) => fc.Arbitrary<Labelled<Message>> | undefined;

const refuse = (label: string, value: fc.Arbitrary<Message>) => value.map((v) => ({ label, expect: 'refuse' as const, value: v }));
const withContent = (message: Message, change: (content: Message) => Message): Message => ({
  ...message,
  content: change(message.content as Message),
});
const isTemplate = (message: Message) => (message.content as Message).kind === 'template';
const template = (message: Message) => message.content as Message;

const BREAKERS: Breaker[] = [
  (m) =>
    refuse(
      'missing required field',
      fc
        .constantFrom('provider', 'account', 'recipient', 'content')
        .map((field) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== field))),
    ),
  (m) =>
    refuse(
      'unknown field in the send request',
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom('templat', 'schedule_at', 'scheduledAt', 'meta', 'priority', 'callbackUrl', 'messages_'),
            fc.stringMatching(/^[a-zA-Z_]{1,16}$/),
          ),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .filter(([k]) => !ENVELOPE_FIELDS.includes(k) && k !== 'messages')
        .map(([k, v]) => ({ ...m, [k]: v })),
    ),
  (m) =>
    refuse(
      `provider: not one of ${PROVIDERS.join(', ')}`,
      fc.constantFrom<unknown>('whatsapp', 'Kaleyra', 'KALEYRA', 'meta', '', 'twilio', 42, null).map((provider) => ({ ...m, provider })),
    ),
  (m) =>
    refuse(
      'account: no such account',
      fc.constantFrom('fz-nobody', 'fz-kaleyra-c', 'acme-kaleyra').map((account) => ({ ...m, account })),
    ),
  (m, account) =>
    refuse(
      'account: an account of another provider',
      fc.constantFrom(...ACCOUNT_IDS.filter((a) => providerOf(a) !== providerOf(account))).map((other) => ({ ...m, account: other })),
    ),
  (m) =>
    refuse(
      'account: not an account id (1–64 letters, digits, "_", "." or "-")',
      fc.constantFrom<unknown>('a b', '-x', 'x'.repeat(65), '', 'ü', 7).map((account) => ({ ...m, account })),
    ),
  (m) =>
    refuse(
      'recipient: not a phone number with its country code',
      invalidRecipient.map((r) => ({ ...m, recipient: r })),
    ),
  (m) =>
    refuse(
      'content.kind: missing or unknown',
      fc
        .constantFrom<unknown>(undefined, 'image', '', 'TEMPLATE')
        .map((kind) =>
          withContent(m, (c) =>
            kind === undefined ? Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'kind')) : { ...c, kind },
          ),
        ),
    ),
  (m) =>
    refuse(
      'content: unknown field',
      fc.constantFrom('components', 'footer', 'templateName', 'params').map((k) => withContent(m, (c) => ({ ...c, [k]: 'x' }))),
    ),
  (m) =>
    isTemplate(m)
      ? refuse(
          'template name: not lower-case letters, digits and "_" (1–512)',
          fc
            .constantFrom('Order_Update', 'order-update', 'order update', '', 'a'.repeat(513))
            .map((name) => withContent(m, (c) => ({ ...c, name }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'language: not a code such as en or en_US',
          fc
            .constantFrom<unknown>('english', 'EN', 'en-US', 'en_us', 'e', '', 5)
            .map((l) => withContent(m, (c) => ({ ...c, language: l }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'header text: longer than 60 characters',
          ascii(61, 300).map((text) => withContent(m, (c) => ({ ...c, header: { type: 'text', text } }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse('header text: empty', fc.constant(withContent(m, (c) => ({ ...c, header: { type: 'text', text: '' } }))))
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'header: unknown type',
          fc
            .constantFrom('audio', 'location', 'sticker')
            .map((type) => withContent(m, (c) => ({ ...c, header: { type, media: { link: 'https://example.com/a' } } }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'header media: not exactly one of id or link',
          fc
            .constantFrom<unknown>(
              {},
              { id: '123456', link: 'https://example.com/a.png' },
              { url: 'https://example.com/a.png' },
              { id: '' },
            )
            .map((media) => withContent(m, (c) => ({ ...c, header: { type: 'image', media } }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'header media link: not an absolute URL',
          fc
            .constantFrom('not a url', '/relative/x.png', 'example.com/x.png')
            .map((link) => withContent(m, (c) => ({ ...c, header: { type: 'image', media: { link } } }))),
        )
      : undefined,
  (m) => (isTemplate(m) ? refuse('body: an empty list', fc.constant(withContent(m, (c) => ({ ...c, body: [] })))) : undefined),
  (m) =>
    isTemplate(m)
      ? refuse(
          'body value: empty',
          fc.nat(5).map((i) => withContent(m, (c) => ({ ...c, body: insertAt(Array.isArray(c.body) ? c.body : ['x'], i, '') }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'body value: longer than 1024 characters',
          fc.tuple(ascii(1025, 4000), fc.boolean()).map(([long, named]) =>
            withContent(m, (c) => ({
              ...c,
              body:
                named && !Array.isArray(c.body) && c.body
                  ? { ...(c.body as object), zz_long: long }
                  : insertAt(Array.isArray(c.body) ? c.body : [], 0, long),
            })),
          ),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'body: neither a list nor an object',
          fc.constantFrom<unknown>('Ana', 42, true).map((body) => withContent(m, (c) => ({ ...c, body }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'named body parameter: not lower-case letters, digits and "_"',
          fc.constantFrom('First Name', 'first-name', 'FirstName', '').map((k) => withContent(m, (c) => ({ ...c, body: { [k]: 'Ana' } }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'buttons: more than 10',
          fc.integer({ min: 11, max: 14 }).map((n) =>
            withContent(m, (c) => ({
              ...c,
              buttons: Array.from({ length: n }, (_, i) => ({ type: 'quick_reply', index: i, payload: `p${i}` })),
            })),
          ),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'button index: not an integer from 0 to 9',
          fc
            .constantFrom<unknown>(10, -1, 1.5, '0', null)
            .map((index) => withContent(m, (c) => ({ ...c, buttons: [{ type: 'quick_reply', index, payload: 'yes' }] }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'button indexes: not unique',
          fc.integer({ min: 0, max: 9 }).map((index) =>
            withContent(m, (c) => ({
              ...c,
              buttons: [
                { type: 'quick_reply', index, payload: 'a' },
                { type: 'quick_reply', index, payload: 'b' },
              ],
            })),
          ),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'copy_code: longer than 15 characters',
          ascii(16, 40).map((code) => withContent(m, (c) => ({ ...c, buttons: [{ type: 'copy_code', index: 0, code }] }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'button: unknown type',
          fc
            .constantFrom('phone_call', 'xyz', '')
            .map((type) => withContent(m, (c) => ({ ...c, buttons: [{ type, index: 0, text: 'x' }] }))),
        )
      : undefined,
  (m) =>
    isTemplate(m)
      ? refuse(
          'limitedTimeOffer.expiresAt: not an ISO-8601 date-time',
          invalidDateTime.map((expiresAt) => withContent(m, (c) => ({ ...c, limitedTimeOffer: { expiresAt } }))),
        )
      : undefined,
  (m) => (!isTemplate(m) ? refuse('text: empty', fc.constant(withContent(m, (c) => ({ ...c, text: '' })))) : undefined),
  (m) =>
    !isTemplate(m)
      ? refuse(
          'text: longer than 4096 characters',
          ascii(4097, 9000).map((text) => withContent(m, (c) => ({ ...c, text }))),
        )
      : undefined,
  // What the provider cannot carry (README: refused, never dropped).
  (m, account) => {
    const caps = CAPABILITIES[providerOf(account)];
    return caps.kinds.includes('text')
      ? refuse(
          'content: a template, but the provider sends text only',
          fc.constant({ ...m, content: { kind: 'template', name: 'order_update', language: 'en' } }),
        )
      : refuse('content: text, but the provider sends templates only', fc.constant({ ...m, content: { kind: 'text', text: 'hello' } }));
  },
  (m, account) => {
    const missing = (['text', 'image', 'video', 'document'] as const).filter((t) => !CAPABILITIES[providerOf(account)].headers.includes(t));
    if (!isTemplate(m) || missing.length === 0) return undefined;
    return refuse(
      'header: a type the provider cannot carry',
      fc.constantFrom(...missing).map((type) =>
        withContent(m, (c) => ({
          ...c,
          header: type === 'text' ? { type, text: 'Hi' } : { type, media: { link: 'https://example.com/a' } },
        })),
      ),
    );
  },
  (m, account) =>
    isTemplate(m) && !CAPABILITIES[providerOf(account)].mediaBy.includes('id')
      ? refuse(
          'header media: by id, but the provider takes links only',
          mediaId.map((id) => withContent(m, (c) => ({ ...c, header: { type: 'image', media: { id } } }))),
        )
      : undefined,
  (m, account) =>
    isTemplate(m) && !CAPABILITIES[providerOf(account)].namedBody
      ? refuse(
          'body: named values, but the provider takes positional ones only',
          namedBody.map((body) => withContent(m, (c) => ({ ...c, body }))),
        )
      : undefined,
  (m, account) => {
    const missing = (['quick_reply', 'url', 'copy_code'] as const).filter((t) => !CAPABILITIES[providerOf(account)].buttons.includes(t));
    if (!isTemplate(m) || missing.length === 0) return undefined;
    return refuse(
      'buttons: a type the provider cannot carry',
      fc.constantFrom(...missing).map((type) =>
        withContent(m, (c) => ({
          ...c,
          buttons: [
            type === 'quick_reply'
              ? { type, index: 0, payload: 'y' }
              : type === 'url'
                ? { type, index: 0, text: 'y' }
                : { type, index: 0, code: 'Y1' },
          ],
        })),
      ),
    );
  },
  (m, account) =>
    isTemplate(m) && !CAPABILITIES[providerOf(account)].limitedTimeOffer
      ? refuse(
          'limitedTimeOffer: the provider cannot carry one',
          fc.constant(withContent(m, (c) => ({ ...c, limitedTimeOffer: { expiresAt: '2027-01-01T00:00:00Z' } }))),
        )
      : undefined,
  (m, account) =>
    isTemplate(m) && !CAPABILITIES[providerOf(account)].documentFilename && CAPABILITIES[providerOf(account)].headers.includes('document')
      ? refuse(
          'header document filename: the provider cannot carry one',
          fc.constant(
            withContent(m, (c) => ({
              ...c,
              header: { type: 'document', media: { link: 'https://example.com/a.pdf' }, filename: 'a.pdf' },
            })),
          ),
        )
      : undefined,
  // The account's template registry.
  (m, account) =>
    registryOf(account) && isTemplate(m)
      ? refuse('template: not registered for the account', fc.constant(withContent(m, (c) => ({ ...c, name: 'not_registered_here' }))))
      : undefined,
  (m, account) => {
    const registered = registryOf(account)?.find((t) => t.name === template(m).name && t.language === template(m).language);
    if (!registered || registered.namedParameters) return undefined;
    return refuse(
      'body: not as many values as the registered template has',
      fc
        .integer({ min: 1, max: 5 })
        .filter((n) => n !== registered.bodyParameters)
        .map((n) => withContent(m, (c) => ({ ...c, body: Array.from({ length: n }, (_, i) => `v${i}`) }))),
    );
  },
  (m, account) => {
    const registered = registryOf(account)?.find((t) => t.name === template(m).name && t.language === template(m).language);
    if (!registered?.namedParameters) return undefined;
    return refuse(
      'body: a named value of the registered template is missing',
      fc.constant(withContent(m, (c) => ({ ...c, body: { other_name: 'Ana' } }))),
    );
  },
  (m) =>
    refuse(
      'scheduleAt: not an ISO-8601 date-time with an offset',
      invalidDateTime.map((scheduleAt) => ({ ...m, scheduleAt })),
    ),
  (m) =>
    refuse(
      'metadata: more than 10 keys',
      fc
        .integer({ min: 11, max: 20 })
        .map((n) => ({ ...m, metadata: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])) })),
    ),
  (m) =>
    refuse(
      'metadata value: longer than 256 characters',
      ascii(257, 2000).map((v) => ({ ...m, metadata: { note: v } })),
    ),
  (m) => refuse('metadata key: empty', fc.constant({ ...m, metadata: { '': 'v' } })),
  (m) =>
    refuse(
      'metadata key: longer than 64 characters',
      ascii(65, 200).map((k) => ({ ...m, metadata: { [k]: 'v' } })),
    ),
  (m) =>
    refuse(
      'metadata value: not a string',
      fc.constantFrom<unknown>(1, true, null, { a: 'b' }, ['x']).map((v) => ({ ...m, metadata: { order: v } })),
    ),
  (m) =>
    refuse(
      'metadata: not an object',
      fc.constantFrom<unknown>('order=A-17', ['A-17'], 17).map((v) => ({ ...m, metadata: v })),
    ),
];

function insertAt<T>(list: readonly T[], index: number, value: T): T[] {
  const copy = [...list];
  copy.splice(Math.min(index, copy.length), 0, value);
  return copy;
}

/** A valid request of `accounts` with exactly one rule broken, labelled with the rule. */
export function invalidMessage(accounts: readonly string[]): fc.Arbitrary<Labelled<Message>> {
  return validMessage(accounts).chain((m) => {
    const account = m.account as string;
    const options = BREAKERS.map((breaker) => breaker(m, account)).filter((a): a is fc.Arbitrary<Labelled<Message>> => a !== undefined);
    return fc.oneof(...options);
  });
}

/**
 * Requests no documented rule refuses, whose answer may still be 2xx or a clear 4xx: never a 5xx
 * or a hang. `__proto__` as a metadata key, a lone UTF-16 surrogate, a schedule more than a year
 * ahead (the README sets no cap).
 */
export function edgeMessage(accounts: readonly string[]): fc.Arbitrary<Labelled<Message>> {
  return validMessage(accounts).chain((m) =>
    fc.oneof(
      fc.constant({
        label: 'metadata key "__proto__"',
        expect: 'either' as const,
        value: { ...m, metadata: JSON.parse('{"__proto__":"x","order":"A-17"}') as Message },
      }),
      fc.constantFrom('\ud800', 'a\udfffb').map((s) => ({
        label: 'metadata value with a lone UTF-16 surrogate',
        expect: 'either' as const,
        value: { ...m, metadata: { note: s } },
      })),
      isoDateTime(Date.now() + 400 * DAY, Date.now() + 2000 * DAY).map((scheduleAt) => ({
        label: 'scheduleAt more than a year ahead',
        expect: 'either' as const,
        value: { ...m, scheduleAt },
      })),
    ),
  );
}
