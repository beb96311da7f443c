/** A Gupshup account: the business number (`source`, digits) and the Gupshup app's name. */
import * as z from 'zod';
import { accountSchema, Digits } from '../../config/account-fields.ts';

export const GupshupAccount = accountSchema('gupshup', () => ({ source: Digits, appName: z.string().min(1) }));
export type GupshupAccount = z.output<typeof GupshupAccount>;
