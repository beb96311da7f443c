/**
 * A request to send one WhatsApp message, in our own provider-neutral words. Each provider
 * adapter translates it into its provider's dialect (src/providers/<provider>/).
 *
 * Unknown fields are rejected rather than ignored (a typo such as `templat` must not silently
 * send a message without its template), and every violation is reported with its field.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import * as z from 'zod';
import { PROVIDERS } from '../providers/names.ts';
import { AccountId, DURATION_PATTERN, DURATION_RULE } from './fields.ts';
import { FIELD } from './limits.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

// Shared with every boundary from a module without the request's schemas (and libphonenumber).
export { AccountId, violationsOf, type Violation } from './fields.ts';

/**
 * Object keys JavaScript gives a meaning of their own: parsed into an object, `__proto__` is
 * dropped (or replaces the prototype) and `constructor` makes the DynamoDB marshaller refuse the
 * object. A record field with such a key is refused (400 naming the key), never dropped.
 */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
const RESERVED_KEY_RULE = `must not be ${RESERVED_KEYS.join(', ')} (names JavaScript reserves; they would be dropped or break the store)`;

/** DynamoDB, SQS and the providers take UTF-8: a lone UTF-16 surrogate has no UTF-8 form. */
const WELL_FORMED_RULE = 'must be well-formed Unicode text (no lone surrogate code units)';
const isWellFormed = (value: string) => !/\p{Cs}/u.test(value);

const atMost = (max: number) => `must be at most ${max} characters`;

/** A bounded, non-empty, well-formed string. */
function text(max: number, tooLong = atMost(max)) {
  return z.string().min(1, 'must not be empty').max(max, tooLong).refine(isWellFormed, WELL_FORMED_RULE);
}

/**
 * A record (`{key: value}`) that refuses reserved keys and more than `maxKeys` entries, listing
 * every problem at once (zod's own record silently skips `__proto__`).
 */
function safeRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V, maxKeys: number, tooMany: string) {
  const record = z.record(key, value);
  return z.unknown().transform((input, ctx) => {
    let checked = input;
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      const keys = Object.keys(input);
      if (keys.length > maxKeys) ctx.addIssue({ code: 'custom', message: tooMany });
      for (const name of keys) {
        if (RESERVED_KEYS.includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: RESERVED_KEY_RULE });
      }
      const kept = keys.filter((name) => !RESERVED_KEYS.includes(name));
      checked = Object.fromEntries(kept.map((name) => [name, (input as Record<string, unknown>)[name]]));
    }
    const result = record.safeParse(checked);
    if (!result.success) {
      for (const issue of result.error.issues) {
        // A bad key is reported with the key schema's own rule, not zod's "Invalid key in record".
        const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
        ctx.addIssue({ code: 'custom', path: issue.path as PropertyKey[], message });
      }
    }
    return result.success ? result.data : z.NEVER;
  }) as unknown as z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>>;
}

/**
 * A recipient's phone number with its country code (`+14155550123`, or `14155550123` as
 * WhatsApp writes it), normalised to E.164 with `+`. Each adapter formats it as its provider wants.
 */
export const Recipient = lazySchema(() =>
  z
    .string()
    .max(FIELD.recipientChars, `must be at most ${FIELD.recipientChars} characters`)
    .transform((value, ctx) => {
      const compact = value.replace(/[\s().-]/g, '');
      const phone = parsePhoneNumberFromString(compact.startsWith('+') ? compact : `+${compact}`);
      if (!phone?.isValid()) {
        ctx.addIssue({ code: 'custom', message: 'must be a valid phone number with its country code (E.164), e.g. +14155550123' });
        return z.NEVER;
      }
      return phone.number;
    }),
);

const MediaRef = lazySchema(() =>
  z.union(
    [
      z.strictObject({ id: text(FIELD.mediaIdChars) }),
      z.strictObject({ link: z.url('must be an absolute URL').max(FIELD.mediaLinkChars, atMost(FIELD.mediaLinkChars)) }),
    ],
    { error: 'must have exactly one of `id` (uploaded media) or `link` (public URL)' },
  ),
);

export const TemplateHeader = lazySchema(() =>
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('text'), text: text(FIELD.headerTextChars) }),
      z.strictObject({ type: z.literal('image'), media: MediaRef }),
      z.strictObject({ type: z.literal('video'), media: MediaRef }),
      z.strictObject({ type: z.literal('document'), media: MediaRef, filename: text(FIELD.filenameChars).optional() }),
    ],
    { error: 'must be a header of type text, image, video or document' },
  ),
);

const ButtonIndex = lazySchema(() =>
  z
    .int('must be an integer')
    .min(0, 'must be 0 or more')
    .max(FIELD.buttons - 1, `must be at most ${FIELD.buttons - 1}`),
);

export const TemplateButton = lazySchema(() =>
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('quick_reply'), index: ButtonIndex, payload: text(FIELD.quickReplyPayloadChars) }),
      z.strictObject({ type: z.literal('url'), index: ButtonIndex, text: text(FIELD.urlSuffixChars) }),
      z.strictObject({
        type: z.literal('copy_code'),
        index: ButtonIndex,
        code: text(FIELD.copyCodeChars, `${atMost(FIELD.copyCodeChars)} (Meta’s limit)`),
      }),
    ],
    { error: 'must be a button of type quick_reply, url or copy_code' },
  ),
);

const BodyValue = lazySchema(() => text(FIELD.bodyValueChars));

const PositionalBody = lazySchema(() =>
  z.array(BodyValue).min(1, 'must have at least one value').max(FIELD.bodyValues, `must have at most ${FIELD.bodyValues} values`),
);
const NamedBody = lazySchema(() =>
  safeRecord(
    z.string().regex(new RegExp(`^[a-z0-9_]{1,${FIELD.bodyNameChars}}$`), 'named parameters are lower-case letters, digits and "_"'),
    BodyValue,
    FIELD.bodyValues,
    `must have at most ${FIELD.bodyValues} named values`,
  ),
);

/**
 * Body variables: positional (`["Ana", "3 PM"]`) or named (`{"first_name": "Ana"}`), at most
 * 100 either way. Chosen by the input's type, so a problem is reported on its own value.
 */
export const TemplateBody = lazySchema(
  () =>
    z.unknown().transform((input, ctx) => {
      const schema = Array.isArray(input) ? PositionalBody : input !== null && typeof input === 'object' ? NamedBody : undefined;
      const result = schema?.safeParse(input);
      if (!result) ctx.addIssue({ code: 'custom', message: 'must be a list of values (positional) or an object of named values' });
      else if (!result.success) {
        for (const issue of result.error.issues)
          ctx.addIssue({ code: 'custom', path: issue.path as PropertyKey[], message: issue.message });
      }
      return result?.success ? result.data : z.NEVER;
    }) as unknown as z.ZodType<string[] | Record<string, string>, string[] | Record<string, string>>,
);

export const TemplateContent = lazySchema(() =>
  z
    .strictObject({
      kind: z.literal('template'),
      name: z
        .string()
        .regex(
          new RegExp(`^[a-z0-9_]{1,${FIELD.templateNameChars}}$`),
          'must be the approved template name (lower-case letters, digits, "_")',
        ),
      language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en or en_US'),
      header: TemplateHeader.optional(),
      body: TemplateBody.optional(),
      buttons: z.array(TemplateButton).max(FIELD.buttons, `must have at most ${FIELD.buttons} buttons`).optional(),
      limitedTimeOffer: z.strictObject({ expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }) }).optional(),
    })
    .superRefine((content, ctx) => {
      const seen = new Set<number>();
      content.buttons?.forEach((button, i) => {
        if (seen.has(button.index))
          ctx.addIssue({ code: 'custom', path: ['buttons', i, 'index'], message: 'must be unique among the buttons' });
        seen.add(button.index);
      });
    }),
);

export const TextContent = lazySchema(() =>
  z.strictObject({
    kind: z.literal('text'),
    text: text(FIELD.textChars),
  }),
);

export const MessageContent = lazySchema(() =>
  z.discriminatedUnion('kind', [TemplateContent, TextContent], {
    error: 'must have kind "template" or "text"',
  }),
);

/**
 * The caller's own data, returned with the message and in pushes (not sent to the provider):
 * at most 10 keys of 1–64 characters, values of at most 256. Keys are stored verbatim except the
 * names JavaScript reserves (`__proto__`, `constructor`, `prototype`), which are refused with
 * 400 naming the key: the store could not hold them faithfully, and dropping them would be silent.
 */
export const Metadata = lazySchema(() =>
  safeRecord(
    z
      .string()
      .min(1, 'must not be empty')
      .max(FIELD.metadataKeyChars, `keys must be at most ${FIELD.metadataKeyChars} characters`)
      .refine(isWellFormed, WELL_FORMED_RULE),
    z
      .string({ error: 'must be a string' })
      .max(FIELD.metadataValueChars, atMost(FIELD.metadataValueChars))
      .refine(isWellFormed, WELL_FORMED_RULE),
    FIELD.metadataKeys,
    `must have at most ${FIELD.metadataKeys} keys`,
  ),
);

export const SendRequest = lazySchema(() =>
  z.strictObject({
    provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }),
    account: AccountId,
    recipient: Recipient,
    content: MessageContent,
    /** Not sent before this time (ISO-8601 with offset). */
    scheduleAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T09:00:00+01:00' })
      .optional(),
    /** For an account with fallbacks: how long this message may wait on a blocked route before it fails over (instead of the account's). */
    failoverAfter: z.string().regex(DURATION_PATTERN, DURATION_RULE).optional(),
    metadata: Metadata.optional(),
  }),
);

export type SendRequestInput = z.input<typeof SendRequest>;
export type SendRequest = z.output<typeof SendRequest>;
export type MessageContent = z.output<typeof MessageContent>;
export type TemplateContent = z.output<typeof TemplateContent>;
export type TextContent = z.output<typeof TextContent>;
export type TemplateHeader = z.output<typeof TemplateHeader>;
export type TemplateButton = z.output<typeof TemplateButton>;
