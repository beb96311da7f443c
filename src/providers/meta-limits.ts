/** Limits shared by the providers that wrap Meta's Cloud API. */
import type { RateLimit } from './define.ts';

/** Meta's default throughput per business number (80/s). */
export const META_NUMBER_LIMIT: readonly RateLimit[] = [{ limit: 80, windowMs: 1000 }];
