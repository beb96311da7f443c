/**
 * The pipeline's configuration: its provider accounts and the API keys that may use them, plus
 * the secrets it needs at run time. Read and validated once at the edge (a handler's cold start,
 * the local stack's start); modules receive the typed result. Errors name the key that is wrong.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError } from '../errors.ts';
import { AccountId } from '../messages/fields.ts';
import { sendsCallbacks } from '../providers/index.ts';
import { AccountConfig } from './accounts.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';
import { routeIssues } from './routes.ts';

// The configuration's schemas are built on first use (the first read), not at import.
export const ApiKeyConfig = lazySchema(() =>
  z.strictObject({
    /** A name for the key, shown in logs instead of the key. */
    id: z.string().min(1),
    /** SHA-256 of the key, hex: keys are kept hashed, never in clear. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the key'),
    /** The accounts the key may send from and read. */
    accounts: z.union([z.literal('*'), z.array(AccountId).min(1)]),
  }),
);
export type ApiKeyConfig = z.output<typeof ApiKeyConfig>;

export const PipelineConfig = lazySchema(() =>
  z
    .strictObject({
      accounts: z.array(AccountConfig).min(1, 'must list at least one provider account'),
      apiKeys: z.array(ApiKeyConfig).min(1, 'must list at least one API key'),
    })
    .superRefine((config, ctx) => {
      const seen = new Set<string>();
      config.accounts.forEach((account, i) => {
        if (seen.has(account.id))
          ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `duplicate account id ${account.id}` });
        seen.add(account.id);
      });
      // Fallbacks name other accounts: checked against them all (src/config/routes.ts).
      for (const issue of routeIssues(config.accounts))
        ctx.addIssue({ code: 'custom', path: ['accounts', ...issue.path], message: issue.message });
      config.apiKeys.forEach((key, i) => {
        if (key.accounts === '*') return;
        key.accounts.forEach((id, j) => {
          if (!seen.has(id))
            ctx.addIssue({ code: 'custom', path: ['apiKeys', i, 'accounts', j], message: `no account ${id} is configured` });
        });
      });
    }),
);
export type PipelineConfig = z.output<typeof PipelineConfig>;

export const PipelineSecrets = lazySchema(() =>
  z.strictObject({
    /** Keys the recipient hashes (HMAC-SHA256); at least 32 characters of randomness. */
    recipientHashKey: z.string().min(32, 'must be at least 32 characters'),
    /** Seals queue bodies held in the table: 32 bytes, base64. */
    payloadKey: z.string().refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
    /** Each account's provider credential, by account id. */
    credentials: z.record(AccountId, z.string().min(1)),
    /**
     * Each account's webhook secrets, newest first (several during a rotation): LiveChat's
     * Standard Webhooks secret (`whsec_…`), Loopwave's signing secret, or for Gupshup and Kaleyra
     * (which sign nothing) the token in the callback URL.
     */
    webhookSecrets: z.record(AccountId, z.array(z.string().min(16, 'must be at least 16 characters')).min(1)).default({}),
    /** Each pushing account's Standard Webhooks secret for its caller (`whsec_<base64>`). */
    pushSecrets: z
      .record(AccountId, z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be a Standard Webhooks secret, whsec_<base64>'))
      .default({}),
  }),
);
export type PipelineSecrets = z.output<typeof PipelineSecrets>;

// Defined with the other errors (src/errors.ts), which import nothing: modules that the
// configuration itself imports (the pacing budgets) throw it too.
export { ConfigError };

/**
 * What the secrets lack for the configured accounts, one line per gap naming the account: a
 * provider credential for every account, a webhook secret for every account whose provider sends
 * callbacks, a push secret for every account that pushes. Without them an account validates and
 * deploys, then fails every send (or refuses every callback) at run time.
 */
export function missingSecrets(config: PipelineConfig, secrets: PipelineSecrets): string[] {
  const missing: string[] = [];
  for (const { id, provider, push } of config.accounts) {
    if (!secrets.credentials[id]) missing.push(`credentials.${id}: account ${id} (${provider}) has no provider credential`);
    if (sendsCallbacks(provider) && !secrets.webhookSecrets[id]?.length) {
      missing.push(`webhookSecrets.${id}: account ${id} (${provider}) has no webhook secret: every callback would be refused`);
    }
    // Not the push URL: a caller may have put a token in it.
    if (push && !secrets.pushSecrets[id]) missing.push(`pushSecrets.${id}: account ${id} pushes status changes but has no push secret`);
  }
  return missing;
}

/** Throws a {@link ConfigError} naming every account whose secrets are incomplete ({@link missingSecrets}). */
export function requireAccountSecrets(config: PipelineConfig, secrets: PipelineSecrets, source: string): void {
  const missing = missingSecrets(config, secrets);
  if (missing.length > 0) throw new ConfigError(`${source} is not valid:\n  ${missing.join('\n  ')}`);
}

/** Parses `value` with `schema`; on failure, one error naming every wrong key and the source. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`${source} is not valid:\n  ${problems.join('\n  ')}`);
}

/** A `{ config, secrets }` document (a file locally, a Secrets Manager secret deployed), validated. */
export function parseConfigDocument(raw: unknown, source: string): { config: PipelineConfig; secrets: PipelineSecrets } {
  const { config, secrets } = (raw ?? {}) as { config?: unknown; secrets?: unknown };
  return {
    config: parseConfig(PipelineConfig, config, `${source} (config)`),
    secrets: parseConfig(PipelineSecrets, secrets, `${source} (secrets)`),
  };
}

/** Reads a JSON file of `{ config, secrets }` (the local stack's, git-ignored). */
export function readConfigFile(path: string): { config: PipelineConfig; secrets: PipelineSecrets } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path} could not be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseConfigDocument(raw, path);
}
