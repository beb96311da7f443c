/**
 * One @hey-api/openapi-ts job per provider spec: specs/<provider>.yaml → generated/<provider>/.
 * `npm run generate` writes the committed output; test/generated.test.ts regenerates into a
 * temporary folder (scripts/generate.ts) and fails on any difference.
 */
import { defineConfig } from '@hey-api/openapi-ts';
import { generationJobs } from './scripts/generation-jobs.ts';

export default defineConfig(generationJobs('generated'));
