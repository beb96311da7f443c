/**
 * Provider accounts as configured per deployment: which provider, its sender identity, where its
 * API is, and the templates approved on it. The union is derived from the list of providers: each
 * module declares its own account shape (src/providers/<name>/account.ts). Credentials are not
 * here: they are secrets, resolved at run time and handed to the adapters.
 */
import * as z from 'zod';
import { PROVIDER_LIST, type ProviderName } from '../providers/index.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

export { findTemplate, LimitsConfig, TemplateConfig, type AccountBase } from './account-fields.ts';

const [first, ...rest] = PROVIDER_LIST;

export const AccountConfig = lazySchema(() => z.discriminatedUnion('provider', [first.account, ...rest.map((module) => module.account)]));
export type AccountConfig = z.output<typeof AccountConfig>;
export type AccountOf<P extends ProviderName> = Extract<AccountConfig, { provider: P }>;
