/** A LiveTok account: its plan sets the documented hourly limit (Enterprise limits are configured). */
import * as z from 'zod';
import { accountSchema } from '../../config/account-fields.ts';

export const LivetokAccount = accountSchema('livetok', () => ({ plan: z.enum(['free', 'pro', 'enterprise']).default('free') }));
export type LivetokAccount = z.output<typeof LivetokAccount>;
