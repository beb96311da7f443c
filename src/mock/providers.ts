/**
 * What the provider mocks need to know beyond the specs, per provider: each provider's dev kit
 * (src/providers/<name>/dev/) says its fixed port for `npm run mock`, where each send answer
 * carries the provider's message id (which the mock makes distinct per request), and which
 * operation is the send and where its request names the recipient.
 */
import { DEV_KITS, type MockedProvider } from '../providers/dev.ts';
import { byProvider, type ProviderName } from '../providers/names.ts';

export type { MockedProvider, ProviderName };

export const MOCKED_PROVIDERS: Readonly<Record<ProviderName, MockedProvider>> = byProvider((name) => DEV_KITS[name].mock);
