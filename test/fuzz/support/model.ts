/**
 * What the fuzz oracle knows about the deployment it fuzzes, written down from the README and
 * the providers' documents rather than read from the validator: the accounts (two per provider,
 * so callbacks can cross accounts), their template registries, the API keys and what each may
 * use, and phone numbers that are valid by libphonenumber's own example metadata.
 */
import examples from 'libphonenumber-js/mobile/examples';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import { CALLING_BACK_PROVIDERS, sendsCallbacks, type CallingBackProvider } from '../../../src/providers/index.ts';
import { PROVIDERS, type ProviderName } from '../../../src/providers/names.ts';

export { PROVIDERS, type ProviderName };

/** The providers that send status callbacks: those whose module has a webhook side (not an oracle: which route exists is the module's). */
export const CALLBACK_PROVIDERS = CALLING_BACK_PROVIDERS;
export type CallbackProvider = CallingBackProvider;
export const isCallbackProvider: (provider: ProviderName) => provider is CallbackProvider = sendsCallbacks;

/** `fz-<provider>-a` and `fz-<provider>-b`. */
export const accountId = (provider: ProviderName, which: 'a' | 'b') => `fz-${provider}-${which}`;
export const ACCOUNT_IDS = PROVIDERS.flatMap((p) => [accountId(p, 'a'), accountId(p, 'b')]);
export const providerOf = (account: string) => account.split('-')[1] as ProviderName;

export interface RegisteredTemplate {
  name: string;
  language: string;
  providerTemplateId?: string;
  bodyParameters: number;
  namedParameters?: string[];
}

/** Gupshup names templates by id: both its accounts have a registry. */
const GUPSHUP_TEMPLATES: RegisteredTemplate[] = [
  { name: 'order_update', language: 'en', providerTemplateId: 'tmpl-7f2', bodyParameters: 2 },
  { name: 'otp_code', language: 'en_US', providerTemplateId: 'tmpl-9a1', bodyParameters: 1 },
  { name: 'plain_notice', language: 'en', providerTemplateId: 'tmpl-0c0', bodyParameters: 0 },
];

/** One LiveChat account with a registry (positional and named), the other without. */
const LIVECHAT_B_TEMPLATES: RegisteredTemplate[] = [
  { name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 },
  { name: 'named_greeting', language: 'en', bodyParameters: 1, namedParameters: ['first_name'] },
];

/** The account's template registry, or undefined when any approved template may be named. */
export function registryOf(account: string): RegisteredTemplate[] | undefined {
  if (providerOf(account) === 'gupshup') return GUPSHUP_TEMPLATES;
  if (account === accountId('livechat', 'b')) return LIVECHAT_B_TEMPLATES;
  return undefined;
}

/**
 * What each provider can carry (README "The API" and the provider tables): kinds, header types,
 * media by id or link, named body values, button types, limited-time offers. An independent
 * oracle on purpose: written from the documents, not read from the adapters' rules, so that the
 * fuzzer checks the validator against them; a provider added to the list fails to compile here
 * until its row is written.
 */
export interface Capabilities {
  kinds: ReadonlyArray<'template' | 'text'>;
  headers: ReadonlyArray<'text' | 'image' | 'video' | 'document'>;
  mediaBy: ReadonlyArray<'id' | 'link'>;
  namedBody: boolean;
  buttons: ReadonlyArray<'quick_reply' | 'url' | 'copy_code'>;
  limitedTimeOffer: boolean;
  documentFilename: boolean;
}

const META: Capabilities = {
  kinds: ['template'],
  headers: ['text', 'image', 'video', 'document'],
  mediaBy: ['id', 'link'],
  namedBody: true,
  buttons: ['quick_reply', 'url', 'copy_code'],
  limitedTimeOffer: true,
  documentFilename: true,
};

export const CAPABILITIES: Record<ProviderName, Capabilities> = {
  // LiveTok: a flat list of text/image/document parameters, media by link, no buttons, no offers.
  livetok: {
    kinds: ['template'],
    headers: ['image', 'document'],
    mediaBy: ['link'],
    namedBody: false,
    buttons: [],
    limitedTimeOffer: false,
    documentFilename: false,
  },
  livechat: META,
  kaleyra: META,
  // Gupshup: template id + positional params, image/video header message, postback texts, expiration.
  gupshup: {
    kinds: ['template'],
    headers: ['image', 'video'],
    mediaBy: ['id', 'link'],
    namedBody: false,
    buttons: ['quick_reply'],
    limitedTimeOffer: true,
    documentFilename: false,
  },
  // Loopwave: free text only.
  loopwave: { kinds: ['text'], headers: [], mediaBy: [], namedBody: false, buttons: [], limitedTimeOffer: false, documentFilename: false },
};

/** API keys: one for every account, one for two accounts only (reads of others must look like 404s). */
export const ALL_KEY = 'fz-key-all-accounts-0123456789';
export const LIMITED_KEY = 'fz-key-limited-0123456789';
export const LIMITED_ACCOUNTS = [accountId('kaleyra', 'a'), accountId('livechat', 'a')];

/** Mobile numbers valid by libphonenumber's example metadata (not by the validator under test), E.164. */
const COUNTRIES: CountryCode[] = [
  'IN',
  'US',
  'GB',
  'BR',
  'DE',
  'ES',
  'MX',
  'ID',
  'NG',
  'ZA',
  'AE',
  'FR',
  'IT',
  'AU',
  'JP',
  'KE',
  'PH',
  'SG',
  'CA',
  'AR',
  'EG',
  'TR',
  'PK',
  'BD',
  'SA',
  'NL',
  'PL',
  'CO',
  'CL',
  'PE',
];
export const VALID_PHONES: Array<{ e164: string; country: string; national: string }> = COUNTRIES.map((country) => {
  const national = (examples as Record<string, string>)[country]!;
  return { e164: `+${getCountryCallingCode(country)}${national}`, country: `+${getCountryCallingCode(country)}`, national };
});

/** Distinct Indian mobile numbers (+91 98…), for seeded messages that must not share a recipient. */
export const seedPhone = (n: number) => `+9198${String(10_000_000 + n).slice(-8)}`;
