/**
 * A request to send one WhatsApp message, in our own provider-neutral words. Each provider
 * adapter translates it into its provider's dialect (src/providers/<provider>/).
 *
 * Unknown fields are rejected rather than ignored (a typo such as `templat` must not silently
 * send a message without its template), and every violation is reported with its field.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { PROVIDERS } from '../providers/names.ts';

/** Account ids appear in URLs, keys and logs: a conservative alphabet. */
export const AccountId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 letters, digits, "_", "." or "-", starting with a letter or digit');

/**
 * A recipient's phone number with its country code (`+14155550123`, or `14155550123` as
 * WhatsApp writes it), normalised to E.164 with `+`. Each adapter formats it as its provider wants.
 */
export const Recipient = z.string().transform((value, ctx) => {
  const compact = value.replace(/[\s().-]/g, '');
  const phone = parsePhoneNumberFromString(compact.startsWith('+') ? compact : `+${compact}`);
  if (!phone?.isValid()) {
    ctx.addIssue({ code: 'custom', message: 'must be a valid phone number with its country code (E.164), e.g. +14155550123' });
    return z.NEVER;
  }
  return phone.number;
});

const MediaRef = z.union(
  [z.strictObject({ id: z.string().min(1, 'must not be empty') }), z.strictObject({ link: z.url('must be an absolute URL') })],
  { error: 'must have exactly one of `id` (uploaded media) or `link` (public URL)' },
);

export const TemplateHeader = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('text'), text: z.string().min(1, 'must not be empty').max(60, 'must be at most 60 characters') }),
    z.strictObject({ type: z.literal('image'), media: MediaRef }),
    z.strictObject({ type: z.literal('video'), media: MediaRef }),
    z.strictObject({ type: z.literal('document'), media: MediaRef, filename: z.string().min(1).optional() }),
  ],
  { error: 'must be a header of type text, image, video or document' },
);

const ButtonIndex = z.int('must be an integer').min(0, 'must be 0 or more').max(9, 'must be at most 9');

export const TemplateButton = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('quick_reply'), index: ButtonIndex, payload: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters') }),
    z.strictObject({ type: z.literal('url'), index: ButtonIndex, text: z.string().min(1, 'must not be empty') }),
    z.strictObject({ type: z.literal('copy_code'), index: ButtonIndex, code: z.string().min(1, 'must not be empty').max(15, 'must be at most 15 characters (Meta’s limit)') }),
  ],
  { error: 'must be a button of type quick_reply, url or copy_code' },
);

/** Body variables: positional (`["Ana", "3 PM"]`) or named (`{"first_name": "Ana"}`). */
export const TemplateBody = z.union(
  [
    z.array(z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters')).min(1, 'must have at least one value').max(100),
    z.record(
      z.string().regex(/^[a-z0-9_]{1,60}$/, 'named parameters are lower-case letters, digits and "_"'),
      z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
    ),
  ],
  { error: 'must be a list of values (positional) or an object of named values' },
);

export const TemplateContent = z
  .strictObject({
    kind: z.literal('template'),
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be the approved template name (lower-case letters, digits, "_")'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en or en_US'),
    header: TemplateHeader.optional(),
    body: TemplateBody.optional(),
    buttons: z.array(TemplateButton).max(10, 'must have at most 10 buttons').optional(),
    limitedTimeOffer: z.strictObject({ expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }) }).optional(),
  })
  .superRefine((content, ctx) => {
    const seen = new Set<number>();
    content.buttons?.forEach((button, i) => {
      if (seen.has(button.index)) ctx.addIssue({ code: 'custom', path: ['buttons', i, 'index'], message: 'must be unique among the buttons' });
      seen.add(button.index);
    });
  });

export const TextContent = z.strictObject({
  kind: z.literal('text'),
  text: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters'),
});

export const MessageContent = z.discriminatedUnion('kind', [TemplateContent, TextContent], { error: 'must have kind "template" or "text"' });

export const SendRequest = z.strictObject({
  provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }),
  account: AccountId,
  recipient: Recipient,
  content: MessageContent,
  /** Not sent before this time (ISO-8601 with offset). */
  scheduleAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T09:00:00+01:00' }).optional(),
  /** The caller's own data, returned with the message and in pushes (not sent to the provider). */
  metadata: z
    .record(z.string().min(1).max(64), z.string().max(256, 'must be at most 256 characters'))
    .refine((value) => Object.keys(value).length <= 10, 'must have at most 10 keys')
    .optional(),
});

export type SendRequestInput = z.input<typeof SendRequest>;
export type SendRequest = z.output<typeof SendRequest>;
export type MessageContent = z.output<typeof MessageContent>;
export type TemplateContent = z.output<typeof TemplateContent>;
export type TextContent = z.output<typeof TextContent>;
export type TemplateHeader = z.output<typeof TemplateHeader>;
export type TemplateButton = z.output<typeof TemplateButton>;

/** One rule a request broke, by field: what an API caller sees. */
export interface Violation {
  field: string;
  rule: string;
}

/** Every violation in a zod error, with dotted field paths (`messages.3.recipient`). */
export function violationsOf(error: z.ZodError, prefix: ReadonlyArray<string | number> = []): Violation[] {
  return error.issues.map((issue) => ({
    field: [...prefix, ...issue.path].map(String).join('.') || '(body)',
    rule: issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message,
  }));
}
