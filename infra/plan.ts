/**
 * The program run under Pulumi's runtime mocks: the resources it would create, with their
 * resolved inputs, and its outputs — a preview without a cloud or a CLI (`npm run infra:plan`,
 * and the policy tests). Secrets the stack file does not hold (they are set with
 * `pulumi config set --secret`) are replaced by generated stand-ins, so the plan never needs them.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { REPO_ROOT } from './bundle.ts';

export interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface Plan {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  /** The stand-in secret values used, so tests can look for leaks. */
  secretValues: string[];
}

const PROJECT = 'whatsapp-provider-kit';

/** Stand-in secrets for every account of the stack's pipeline configuration. */
function standInSecrets(pipeline: { accounts?: Array<{ id: string; push?: unknown }> }) {
  const marker = () => `SECRET${randomBytes(16).toString("hex")}`;
  const accounts = pipeline.accounts ?? [];
  return {
    recipientHashKey: marker(),
    payloadKey: randomBytes(32).toString('base64'),
    credentials: Object.fromEntries(accounts.map((a) => [a.id, marker()])),
    webhookSecrets: Object.fromEntries(accounts.map((a) => [a.id, [marker()]])),
    pushSecrets: Object.fromEntries(accounts.filter((a) => a.push).map((a) => [a.id, `whsec_${randomBytes(24).toString('base64')}`])),
  };
}

export async function plan(stack = 'dev', file = join(REPO_ROOT, `Pulumi.${stack}.yaml`)): Promise<Plan> {
  const document = parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    const name = key.includes(':') ? key : `${PROJECT}:${key}`;
    config[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const secretsKey = `${PROJECT}:secrets`;
  let secretValues: string[] = [];
  if (!config[secretsKey]) {
    const secrets = standInSecrets(JSON.parse(config[`${PROJECT}:pipeline`] ?? '{}'));
    config[secretsKey] = JSON.stringify(secrets);
    secretValues = [secrets.recipientHashKey, secrets.payloadKey, ...Object.values(secrets.credentials), ...Object.values(secrets.webhookSecrets).flat(), ...Object.values(secrets.pushSecrets)];
  }

  const resources: PlannedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const region = 'us-east-1';
        const id = `${args.name}-id`;
        const service = args.type.split(':')[1]?.split('/')[0] ?? 'resource';
        return {
          id,
          state: {
            ...args.inputs,
            name: args.inputs.name ?? args.name,
            arn: `arn:aws:${service}:${region}:123456789012:${args.name}`,
            url: `https://sqs.${region}.amazonaws.com/123456789012/${args.name}`,
            invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${args.name}/invocations`,
            executionArn: `arn:aws:execute-api:${region}:123456789012:${id}`,
            invokeUrl: `https://${id}.execute-api.${region}.amazonaws.com/`,
          },
        };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config, [secretsKey]);
  const program = (await import('./index.ts')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) outputs[name] = await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve));
    else if (name === 'bundleBytes') outputs[name] = value;
  }
  // Let every registration finish before the inventory is read.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { resources, outputs, secretValues };
}
