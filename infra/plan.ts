/**
 * The program run under Pulumi's runtime mocks: the resources it would create, with their
 * resolved inputs, providers and dependencies, and its outputs — a preview without a cloud or a
 * CLI (`npm run infra:plan`, and the policy tests).
 *
 * Secrets: the stack file holds them encrypted (`secure: v1:…`, from `pulumi config set --secret`),
 * which the plan cannot decrypt. Each encrypted value is replaced by a generated stand-in of the
 * right shape, and only those: a secret the stack file lacks stays missing, so the program stops
 * naming it, as `pulumi preview` would. A stack file with no secrets at all (the example) plans only
 * with `standInSecrets`, which generates a complete set for its accounts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { isProviderName, sendsCallbacks } from '../src/providers/index.ts';
import { REPO_ROOT } from './bundle.ts';

export interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The provider reference (`<urn>::<id>`) of a custom resource, when one was given. */
  provider?: string;
  /** URNs the resource was registered after: its `dependsOn`, and the resources its inputs come from. */
  dependencies: string[];
  urn?: string;
}

export interface Plan {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  /** The stand-in secret values used, so tests can look for leaks. */
  secretValues: string[];
}

export interface PlanOptions {
  /** Plan a stack file that holds no secrets with generated ones for every account. @default false */
  standInSecrets?: boolean;
}

const PROJECT = 'whatsapp-provider-kit';
let runs = 0;

const marker = () => `SECRET${randomBytes(16).toString('hex')}`;
const pushSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** A stand-in for the secret at `path` (e.g. `['credentials', 'acme']`), of the shape the schema wants. */
function standIn(path: readonly string[]): string {
  if (path[0] === 'payloadKey') return randomBytes(32).toString('base64');
  if (path[0] === 'pushSecrets') return pushSecret();
  return marker();
}

/** A complete set of stand-in secrets for the stack's accounts (`standInSecrets`). */
function completeStandIns(pipeline: { accounts?: Array<{ id: string; provider?: string; push?: unknown }> }) {
  const accounts = pipeline.accounts ?? [];
  return {
    recipientHashKey: marker(),
    payloadKey: standIn(['payloadKey']),
    credentials: Object.fromEntries(accounts.map((a) => [a.id, marker()])),
    // Every account whose provider calls back; one of an unknown provider too (the config check then names the provider).
    webhookSecrets: Object.fromEntries(
      accounts.filter((a) => !a.provider || !isProviderName(a.provider) || sendsCallbacks(a.provider)).map((a) => [a.id, [marker()]]),
    ),
    pushSecrets: Object.fromEntries(accounts.filter((a) => a.push).map((a) => [a.id, pushSecret()])),
  };
}

/** `value` with every `{secure: …}` leaf replaced by a stand-in; every secret string used is added to `used`. */
function replaceEncrypted(value: unknown, path: string[], used: string[]): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'secure' in value) {
    const fresh = standIn(path);
    used.push(fresh);
    return fresh;
  }
  if (Array.isArray(value)) return value.map((item, i) => replaceEncrypted(item, [...path, String(i)], used));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceEncrypted(v, [...path, k], used)]));
  if (typeof value === 'string' && value.length >= 16) used.push(value);
  return value;
}

export interface ProgramOptions {
  /** The stack's name, as `pulumi.getStack()` returns it (function names and bundle folders follow it). @default `test` */
  stack?: string;
  /** Configuration, by full key (`whatsapp-provider-kit:sender`, `aws:region`), values as strings (JSON for objects). */
  config?: Record<string, string>;
  /** Keys of `config` that are secrets. */
  secretKeys?: string[];
}

/**
 * Runs `program` under Pulumi's runtime mocks and returns the resources it would create, with
 * their resolved inputs, and its exports resolved: for {@link plan}, and for tests that build
 * components themselves (e.g. with a `transform`). One program at a time in a process: the
 * mocks are global.
 */
export async function planProgram(
  program: () => Record<string, unknown> | Promise<Record<string, unknown>>,
  options: ProgramOptions = {},
): Promise<Omit<Plan, 'secretValues'>> {
  const stack = options.stack ?? 'test';
  const resources: PlannedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          ...(args.provider ? { provider: args.provider } : {}),
          dependencies: [],
        });
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
            functionUrl: `https://${id}.lambda-url.${region}.on.aws/`,
          },
        };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    false,
  );
  // The mocks see no options; the registration request carries the dependencies (dependsOn included).
  type Request = { getType(): string; getName(): string; getDependenciesList(): string[] };
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: Request, callback: (error: unknown, response?: { getUrn(): string }) => void): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (error, response) => {
      const resource = resources.findLast((r) => r.type === req.getType() && r.name === req.getName());
      if (resource) Object.assign(resource, { dependencies: req.getDependenciesList(), ...(response ? { urn: response.getUrn() } : {}) });
      callback(error, response);
    });
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  const waitForRegistrations = () => (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  let exported: Record<string, unknown>;
  try {
    exported = await program();
  } catch (error) {
    // What the program registered before it failed finishes against these mocks, not the next program's.
    await waitForRegistrations().catch(() => undefined);
    throw error;
  }
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exported)) {
    if (pulumi.Output.isInstance(value)) outputs[name] = await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve));
    else outputs[name] = value;
  }
  // Every registration finished before the inventory is read: the runtime's own wait for its
  // outstanding requests (what it does before a program exits; not in its typings).
  await waitForRegistrations();
  return { resources, outputs };
}

export async function plan(stack = 'dev', file = join(REPO_ROOT, `Pulumi.${stack}.yaml`), options: PlanOptions = {}): Promise<Plan> {
  const document = parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretValues: string[] = [];
  const secretsKey = `${PROJECT}:secrets`;
  for (const [key, value] of Object.entries(document.config ?? {})) {
    const name = key.includes(':') ? key : `${PROJECT}:${key}`;
    const plain = name === secretsKey ? replaceEncrypted(value, [], secretValues) : value;
    config[name] = typeof plain === 'string' ? plain : JSON.stringify(plain);
  }
  if (!config[secretsKey] && options.standInSecrets) {
    const secrets = completeStandIns(JSON.parse(config[`${PROJECT}:pipeline`] ?? '{}'));
    config[secretsKey] = JSON.stringify(secrets);
    replaceEncrypted(secrets, [], secretValues);
  }

  // A fresh copy of the program on every call (a query makes it another module), so one process can plan several stacks.
  const program = () => import(/* @vite-ignore */ `${new URL('./index.ts', import.meta.url).href}?plan=${++runs}`);
  const { resources, outputs } = await planProgram(program, { stack, config, secretKeys: [secretsKey] });
  return { resources, outputs, secretValues };
}
