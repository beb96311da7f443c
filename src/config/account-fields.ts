/**
 * What every provider account has in common, and the helper each provider module uses to declare
 * its own account shape (src/providers/<name>/account.ts). The union of all account shapes is
 * derived from the list of providers in src/config/accounts.ts.
 */
import * as z from 'zod';
import { ConfigError } from '../errors.ts';
import { AccountId, DURATION_PATTERN, DURATION_RULE } from '../messages/fields.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

/**
 * An approved template as the account's provider knows it. With a registry, a request with the
 * wrong number of body values fails at accept, not at the provider.
 */
export const TemplateConfig = lazySchema(() =>
  z.strictObject({
    name: z.string().min(1),
    language: z.string().min(2),
    /** Gupshup names templates by id, not by name. */
    providerTemplateId: z.string().min(1).optional(),
    /** How many body variables the template has. */
    bodyParameters: z.int().min(0),
    /** For templates with named variables: their names. */
    namedParameters: z.array(z.string().regex(/^[a-z0-9_]+$/)).optional(),
    header: z.enum(['text', 'image', 'video', 'document']).optional(),
  }),
);
export type TemplateConfig = z.output<typeof TemplateConfig>;

/** An account's own send budget (src/pacing/budget.ts); unset values take the provider's documented defaults. */
export const LimitsConfig = lazySchema(() =>
  z.strictObject({
    perSecond: z.int().positive().optional(),
    perMinute: z.int().positive().optional(),
    perHour: z.int().positive().optional(),
    perDay: z.int().positive().optional(),
    /** Minimum gap between two messages to one recipient, ms (default 6000: Meta's pair limit). */
    recipientGapMs: z.int().min(0).optional(),
    /** Share of a limit that may go out at once (default 0: every send its own slot). */
    burstFraction: z.number().min(0).max(0.5).optional(),
    /** δ, ms: the spread of a send's arrival at the provider around its slot; the pacing leaves room for it (default 10). */
    arrivalJitterMs: z.int().min(0).max(60_000).optional(),
    /** A random gap [min, max] ms between consecutive sends, for broadcast-like bulk sends. */
    jitterMs: z
      .tuple([z.int().min(0), z.int().min(0)])
      .refine(([min, max]) => min <= max, 'must be [min, max] with min ≤ max')
      .optional(),
  }),
);
export type LimitsConfig = z.output<typeof LimitsConfig>;

/** A duration: a whole number of ms, s, m or h (`90s`, `5m`). */
export const Duration = lazySchema(() => z.string().regex(DURATION_PATTERN, DURATION_RULE));

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A {@link Duration} in milliseconds. */
export function durationMs(duration: string): number {
  const [, amount, unit] = /^([0-9]+)(ms|s|m|h)$/.exec(duration) ?? [];
  if (amount === undefined || unit === undefined) throw new ConfigError(`not a duration: ${duration}`);
  return Number(amount) * DURATION_UNIT_MS[unit]!;
}

/**
 * When the account's breaker opens and for how long (src/sender/breaker.ts): after `after`
 * consecutive proven refusals of the sender, for `coolDown`, doubled by each failed probe up to
 * `maxCoolDown`.
 */
export const BreakerConfig = lazySchema(() =>
  z
    .strictObject({
      /** @default 5 */
      after: z.int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
      /** @default "60s" */
      coolDown: Duration.optional(),
      /** @default "10m" */
      maxCoolDown: Duration.optional(),
    })
    .superRefine((breaker, context) => {
      // A malformed duration has its own issue already (refinements run even then).
      const valid = (duration: string) => DURATION_PATTERN.test(duration);
      if (!valid(breaker.coolDown ?? '60s') || !valid(breaker.maxCoolDown ?? '10m')) return;
      const coolDown = durationMs(breaker.coolDown ?? '60s');
      const longest = durationMs(breaker.maxCoolDown ?? '10m');
      if (coolDown < 1000) context.addIssue({ code: 'custom', path: ['coolDown'], message: 'must be at least 1s' });
      if (coolDown > longest)
        context.addIssue({
          code: 'custom',
          path: ['coolDown'],
          message: `must not be longer than maxCoolDown (${breaker.maxCoolDown ?? '10m'})`,
        });
      if (longest > 24 * 3_600_000) context.addIssue({ code: 'custom', path: ['maxCoolDown'], message: 'must be at most 24h' });
    }),
);
export type BreakerConfig = z.output<typeof BreakerConfig>;

/** A parameter of a fallback's template: the origin template's positional value (its index) or named value (its name). */
const ParameterSource = lazySchema(() =>
  z.union([z.int().min(0), z.string().regex(/^[a-z0-9_]+$/, 'must be a parameter name of the origin template')]),
);

/**
 * How a template of the origin account is sent through a fallback: the template approved there
 * (templates are approved per provider and number), and where each of its body parameters comes
 * from. Without `parameters`, the fallback's template takes the origin's values as they are (the
 * same count; for named ones, the same names).
 */
export const FallbackTemplateConfig = lazySchema(() =>
  z.strictObject({
    /** The origin account's template. */
    name: z.string().min(1),
    language: z.string().min(2),
    /** The fallback account's template that carries it. */
    to: z.strictObject({ name: z.string().min(1), language: z.string().min(2) }),
    /** For each body parameter of the fallback's template, in order: the origin's value it takes (index or name). */
    parameters: z.array(ParameterSource).optional(),
  }),
);
export type FallbackTemplateConfig = z.output<typeof FallbackTemplateConfig>;

/** Another account a message may go out through when this one provably cannot send it (src/sender/failover.ts). */
export const FallbackConfig = lazySchema(() =>
  z.strictObject({
    account: AccountId,
    /** The origin's templates this fallback can carry; a message of another template skips this fallback. */
    templates: z.array(FallbackTemplateConfig).min(1, 'must map at least one template of the origin account'),
  }),
);
export type FallbackConfig = z.output<typeof FallbackConfig>;

const commonShape = () => ({
  id: AccountId,
  /** Overrides the provider's API origin (a mock, a sandbox, another region). */
  baseUrl: z.url().optional(),
  /** The templates approved on this account. When given, only these can be sent. */
  templates: z.array(TemplateConfig).optional(),
  limits: LimitsConfig.optional(),
  /** Push every status change to the caller: a signed Standard Webhooks POST to `url` (secret in `pushSecrets`). */
  push: z.strictObject({ url: z.url('must be an absolute URL') }).optional(),
  /**
   * Retry sends whose outcome is open (a 500/502/504, a timeout or a reset after the request left)
   * instead of marking them `unknown`. The provider may have sent the first attempt: the customer
   * can get the message twice. @default false
   */
  retryAmbiguous: z.boolean().optional(),
  /**
   * Routes to try, in order, when this account provably cannot send a message (docs/pipeline.md,
   * "Failover"). The message stays this account's; validated against the other accounts at load.
   */
  fallbacks: z.array(FallbackConfig).optional(),
  /** How long a message may wait on a blocked (paused) route before it fails over. @default "5m" */
  failoverAfter: Duration.optional(),
  /** When this account's breaker opens, as a route followed by another (src/sender/breaker.ts). @default {"after": 5, "coolDown": "60s", "maxCoolDown": "10m"} */
  breaker: BreakerConfig.optional(),
});
type CommonShape = ReturnType<typeof commonShape>;
let common: CommonShape | undefined;
/** The common fields' schemas, built once, on the first account schema's first use. */
function sharedCommon(): CommonShape {
  if (!common) common = commonShape();
  return common;
}

/** What any account has, whatever its provider: what code that serves every provider may read. */
export interface AccountBase {
  id: string;
  provider: string;
  baseUrl?: string | undefined;
  templates?: TemplateConfig[] | undefined;
  limits?: LimitsConfig | undefined;
  push?: { url: string } | undefined;
  retryAmbiguous?: boolean | undefined;
  fallbacks?: FallbackConfig[] | undefined;
  failoverAfter?: string | undefined;
  breaker?: BreakerConfig | undefined;
}

/**
 * One provider's account shape: the common fields, `provider: <name>`, and the provider's own
 * (which may also override a common one, e.g. Loopwave's required `baseUrl`), given as a function:
 * like the schema, they are built on first use (a configuration read), not when the provider list loads.
 */
export function accountSchema<const N extends string, S extends z.ZodRawShape>(provider: N, own: () => S) {
  return lazySchema(() =>
    z.strictObject({ ...sharedCommon(), provider: z.literal(provider), ...own() } as Omit<CommonShape, keyof S> & {
      provider: z.ZodLiteral<N>;
    } & S),
  );
}

/** A phone number as digits with its country code (Gupshup's `source`). */
export const Digits = lazySchema(() =>
  z.string().regex(/^[1-9][0-9]{6,14}$/, 'must be the phone number in digits with its country code, no "+"'),
);

export function findTemplate(account: AccountBase, name: string, language: string): TemplateConfig | undefined {
  return account.templates?.find((template) => template.name === name && template.language === language);
}
