/** A Kaleyra account: its SID, the business number in E.164, and the regional API host (pod). */
import * as z from 'zod';
import { accountSchema } from '../../config/account-fields.ts';

export const KaleyraAccount = accountSchema('kaleyra', () => ({
  sid: z.string().min(1),
  senderNumber: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be the business number in E.164, e.g. +919000014497'),
  pod: z.enum(['api.in.kaleyra.io', 'api.ap.kaleyra.io', 'api.eu.kaleyra.io']).default('api.in.kaleyra.io'),
}));
export type KaleyraAccount = z.output<typeof KaleyraAccount>;
