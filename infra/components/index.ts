/** The reusable components of the pipeline's infrastructure. */
export { Alarms, type AlarmsArgs } from './alarms.ts';
export { ConfigSecret, type ConfigSecretArgs } from './config-secret.ts';
export { HttpApi, type HttpApiArgs } from './http-api.ts';
export { MessagesTable } from './messages-table.ts';
export { NodeFunction, type NodeFunctionArgs } from './node-function.ts';
export { PacedQueue, type ConsumerArgs, type PacedQueueArgs } from './paced-queue.ts';
export { WhatsAppPipeline, type WhatsAppPipelineArgs } from './pipeline.ts';
