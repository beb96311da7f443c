/**
 * Provider accounts as configured per deployment: which provider, its sender identity, where its
 * API is, and the templates approved on it. Credentials are not here: they are secrets, resolved
 * at run time (src/config/secrets.ts) and handed to the adapters.
 */
import { z } from 'zod';
import { AccountId } from '../messages/send-request.ts';

/**
 * An approved template as the account's provider knows it. With a registry, a request with the
 * wrong number of body values fails at accept, not at the provider.
 */
export const TemplateConfig = z.strictObject({
  name: z.string().min(1),
  language: z.string().min(2),
  /** Gupshup names templates by id, not by name. */
  providerTemplateId: z.string().min(1).optional(),
  /** How many body variables the template has. */
  bodyParameters: z.int().min(0),
  /** For templates with named variables: their names. */
  namedParameters: z.array(z.string().regex(/^[a-z0-9_]+$/)).optional(),
  header: z.enum(['text', 'image', 'video', 'document']).optional(),
});
export type TemplateConfig = z.output<typeof TemplateConfig>;

const common = {
  id: AccountId,
  /** Overrides the provider's API origin (a mock, a sandbox, another region). */
  baseUrl: z.url().optional(),
  /** The templates approved on this account. When given, only these can be sent. */
  templates: z.array(TemplateConfig).optional(),
};

const Digits = z.string().regex(/^[1-9][0-9]{6,14}$/, 'must be the phone number in digits with its country code, no "+"');

export const AccountConfig = z.discriminatedUnion('provider', [
  z.strictObject({ ...common, provider: z.literal('livetok'), plan: z.enum(['free', 'pro', 'enterprise']).default('free') }),
  z.strictObject({ ...common, provider: z.literal('livechat'), numberId: z.string().min(1) }),
  z.strictObject({ ...common, provider: z.literal('gupshup'), source: Digits, appName: z.string().min(1) }),
  z.strictObject({ ...common, provider: z.literal('loopwave'), baseUrl: z.url(), sessionId: z.string().min(1).optional() }),
  z.strictObject({
    ...common,
    provider: z.literal('kaleyra'),
    sid: z.string().min(1),
    senderNumber: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be the business number in E.164, e.g. +919000014497'),
    pod: z.enum(['api.in.kaleyra.io', 'api.ap.kaleyra.io', 'api.eu.kaleyra.io']).default('api.in.kaleyra.io'),
  }),
]);
export type AccountConfig = z.output<typeof AccountConfig>;
export type AccountOf<P extends AccountConfig['provider']> = Extract<AccountConfig, { provider: P }>;

export function findTemplate(account: AccountConfig, name: string, language: string): TemplateConfig | undefined {
  return account.templates?.find((template) => template.name === name && template.language === language);
}
