/** A Loopwave account: Loopwave is self-hosted per customer, so its origin is required; optionally the session to send from. */
import * as z from 'zod';
import { accountSchema } from '../../config/account-fields.ts';

export const LoopwaveAccount = accountSchema('loopwave', () => ({ baseUrl: z.url(), sessionId: z.string().min(1).optional() }));
export type LoopwaveAccount = z.output<typeof LoopwaveAccount>;
