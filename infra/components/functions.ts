/**
 * The pipeline's Lambda functions (pipeline.ts creates exactly these) and the handler module each
 * one is bundled from. Light on purpose: the bundle tests read it without loading Pulumi.
 */
export const PIPELINE_FUNCTIONS = ['accept', 'status', 'sender', 'requeue', 'webhook', 'push'] as const;

export type PipelineFunctionName = (typeof PIPELINE_FUNCTIONS)[number];

/** The function's handler module, relative to the repository; it exports `handler`. */
export function functionEntry(name: PipelineFunctionName): string {
  return `src/functions/${name}.ts`;
}
