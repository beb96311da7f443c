/**
 * Every component argument is documented, as SST documents its components': each member of an
 * exported `*Args` interface (and of the inline objects under it, such as the pipeline's
 * `sender`) says what it is, gives an `@example` in a TypeScript block, and — when it may be left
 * out — the `@default` the code applies (a documented number or boolean is checked against what
 * the components plan without it). Every resource the components create goes through a
 * `transform`, and every transform a component declares is applied. Read with the TypeScript
 * compiler, from the sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../bundle.ts';
import { planProgram, type PlannedResource } from '../plan.ts';
import { Alarms } from './alarms.ts';
import { ConfigSecret, configVersion } from './config-secret.ts';
import { HttpApi } from './http-api.ts';
import { MessagesTable } from './messages-table.ts';
import { NodeFunction } from './node-function.ts';
import { PacedQueue } from './paced-queue.ts';
import { WhatsAppPipeline } from './pipeline.ts';

const DIR = join(REPO_ROOT, 'infra', 'components');
const files = readdirSync(DIR)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => ({ file, source: ts.createSourceFile(file, readFileSync(join(DIR, file), 'utf8'), ts.ScriptTarget.Latest, true) }));

const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

interface Member {
  path: string;
  optional: boolean;
  text: string;
  tags: Map<string, string>;
  node: ts.PropertySignature;
}

function documentation(member: ts.PropertySignature): { text: string; tags: Map<string, string> } {
  const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
  const text = docs
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join('\n')
    .trim();
  const tags = new Map(ts.getJSDocTags(member).map((tag) => [tag.tagName.text, ts.getTextOfJSDocComment(tag.comment) ?? ''] as const));
  return { text, tags };
}

/** The members of `members`, and of the inline object types under them, with their documentation. */
function membersOf(members: ts.NodeArray<ts.TypeElement>, prefix: string): Member[] {
  return members.filter(ts.isPropertySignature).flatMap((member) => {
    const path = `${prefix}.${member.name.getText()}`;
    const own: Member = { path, optional: member.questionToken !== undefined, node: member, ...documentation(member) };
    const nested = member.type && ts.isTypeLiteralNode(member.type) ? membersOf(member.type.members, path) : [];
    return [own, ...nested];
  });
}

const argsInterfaces = files.flatMap(({ file, source }) =>
  source.statements
    .filter(ts.isInterfaceDeclaration)
    .filter((node) => isExported(node) && node.name.text.endsWith('Args'))
    .map((node) => ({ file, name: node.name.text, members: membersOf(node.members, node.name.text) })),
);
const isTransformEntry = (member: Member) => /\.transform\.[^.]+$/.test(member.path);

describe('component arguments', () => {
  it('are found in every component', () => {
    expect(argsInterfaces.map((i) => i.name).sort()).toEqual([
      'AlarmsArgs',
      'ConfigSecretArgs',
      'ConsumerArgs',
      'FunctionUrlEntryArgs',
      'HttpApiArgs',
      'MessagesTableArgs',
      'NodeFunctionArgs',
      'PacedQueueArgs',
      'WhatsAppPipelineArgs',
    ]);
    const count = argsInterfaces.flatMap((i) => i.members).filter((m) => !isTransformEntry(m)).length;
    expect(count).toBeGreaterThan(40);
    const entries = argsInterfaces.flatMap((i) => i.members).length - count;
    console.log(`component arguments documented: ${count} (and ${entries} transform entries)`);
  });

  it('each say what they are, with an @example in a TypeScript block and, when optional, the @default', () => {
    const missing: string[] = [];
    for (const member of argsInterfaces.flatMap((i) => i.members)) {
      if (member.text.length < 10) missing.push(`${member.path}: no description`);
      // A transform entry names its resource; the `transform` argument above it has the example.
      if (isTransformEntry(member)) continue;
      // An inline group (the pipeline's `sender`) is documented member by member.
      const group = member.node.type && ts.isTypeLiteralNode(member.node.type);
      if (group) continue;
      if (!/```ts\n[\s\S]+\n```/.test(member.tags.get('example') ?? '')) missing.push(`${member.path}: no @example with a \`\`\`ts block`);
      if (member.optional && !member.tags.get('default')?.trim()) missing.push(`${member.path}: optional, but no @default`);
      if (!member.optional && member.tags.has('default')) missing.push(`${member.path}: required, but has a @default`);
    }
    expect(missing).toEqual([]);
  });

  it('take a transform in every component that creates AWS resources, each entry a Transform or a component’s transform', () => {
    for (const { name, members } of argsInterfaces.filter((i) => i.name !== 'ConsumerArgs')) {
      const entries = members.filter(isTransformEntry);
      expect(entries.length, name).toBeGreaterThan(0);
      const types = /^(Transform<aws\.[\w.]+Args>|\w+Args\['transform'\]|.*NodeFunctionArgs\['transform'\].*)$/;
      for (const entry of entries) expect(entry.node.type?.getText(), entry.path).toMatch(types);
    }
  });
});

describe('component resources', () => {
  it('are all created through a transform', () => {
    const direct: string[] = [];
    let created = 0;
    for (const { file, source } of files) {
      // `const [name, args, opts] = transform(…)`, then `new aws.…(name, args, opts)`.
      const transformed = new Set<string>();
      const visit = (node: ts.Node) => {
        if (
          ts.isVariableDeclaration(node) &&
          ts.isArrayBindingPattern(node.name) &&
          node.initializer &&
          ts.isCallExpression(node.initializer) &&
          node.initializer.expression.getText() === 'transform'
        ) {
          const first = node.name.elements[0];
          if (first && ts.isBindingElement(first)) transformed.add(first.name.getText());
        }
        if (ts.isNewExpression(node) && node.expression.getText().startsWith('aws.')) {
          created += 1;
          const [first] = node.arguments ?? [];
          const spread =
            first &&
            ts.isSpreadElement(first) &&
            ts.isCallExpression(first.expression) &&
            first.expression.expression.getText() === 'transform';
          const bound = first && ts.isIdentifier(first) && transformed.has(first.text);
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          if (!spread && !bound) direct.push(`${file}:${line} ${node.expression.getText()}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(created).toBeGreaterThanOrEqual(25);
    expect(direct).toEqual([]);
  });

  it('apply every transform entry their component declares', () => {
    const unused: string[] = [];
    for (const { file, name, members } of argsInterfaces) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const applied = new Set([...text.matchAll(/(?:change|transform\?)\??\.(\w+)/g)].map((match) => match[1]));
      for (const entry of members.filter(isTransformEntry)) {
        const key = entry.path.split('.').at(-1)!;
        if (!applied.has(key)) unused.push(`${name}: ${entry.path}`);
      }
    }
    expect(unused).toEqual([]);
  });
});

describe('documented defaults', () => {
  const DOCUMENT = JSON.stringify({ config: {}, secrets: {} });
  /** Every component with its arguments left out (but those it requires), and the pipeline. */
  const program = () => {
    const fn = new NodeFunction('df', { entry: 'src/functions/push.ts', statements: [] });
    const queue = new PacedQueue('dq', { consumerTimeoutSeconds: 30 });
    queue.subscribe(fn);
    new MessagesTable('dt');
    const secret = new ConfigSecret('dc', { document: pulumi.secret(DOCUMENT) });
    const apiFn = (name: string) => new NodeFunction(name, { entry: 'src/functions/push.ts', statements: [], timeoutSeconds: 25 });
    const api = new HttpApi('da', { functions: { accept: apiFn('da-accept'), status: apiFn('da-status') } });
    new Alarms('dal', { queues: { q: queue }, functions: {}, api });
    const pipeline = new WhatsAppPipeline('wa', { configDocument: pulumi.secret(DOCUMENT) });
    return { secretVersion: secret.version, pipelineVersion: pipeline.configSecret.version };
  };

  it('are what the components do without the argument', async () => {
    const { resources, outputs } = await planProgram(program, { stack: 'defaults' });
    const input = (type: string, name: string) => {
      const found = resources.find((r: PlannedResource) => r.type === `aws:${type}` && r.name === name);
      if (!found) throw new Error(`no ${type} ${name}`);
      return found.inputs;
    };
    const redrive = (name: string) => JSON.parse(String(input('sqs/queue:Queue', name).redrivePolicy)) as { maxReceiveCount: number };
    const mapping = (name: string) => input('lambda/eventSourceMapping:EventSourceMapping', name);
    const alarm = (name: string) => input('cloudwatch/metricAlarm:MetricAlarm', name).threshold;
    const planned: Record<string, () => unknown> = {
      'NodeFunctionArgs.timeoutSeconds': () => input('lambda/function:Function', 'df').timeout,
      'NodeFunctionArgs.memoryMb': () => input('lambda/function:Function', 'df').memorySize,
      'NodeFunctionArgs.logRetentionDays': () => input('cloudwatch/logGroup:LogGroup', 'df-logs').retentionInDays,
      'PacedQueueArgs.maxReceiveCount': () => redrive('dq').maxReceiveCount,
      'PacedQueueArgs.retentionSeconds': () => input('sqs/queue:Queue', 'dq').messageRetentionSeconds,
      'PacedQueueArgs.deadLetterRetentionSeconds': () => input('sqs/queue:Queue', 'dq-dlq').messageRetentionSeconds,
      'PacedQueueArgs.batchingWindowSeconds': () => Number(input('sqs/queue:Queue', 'dq').visibilityTimeoutSeconds) - 6 * 30,
      'ConsumerArgs.batchSize': () => mapping('dq-consumer').batchSize,
      'ConsumerArgs.maximumBatchingWindowSeconds': () => mapping('dq-consumer').maximumBatchingWindowInSeconds ?? 0,
      'ConsumerArgs.maximumConcurrency': () => (mapping('dq-consumer').scalingConfig as { maximumConcurrency: number }).maximumConcurrency,
      'MessagesTableArgs.deletionProtection': () => input('dynamodb/table:Table', 'dt').deletionProtectionEnabled,
      'ConfigSecretArgs.salt': () => [1, 2, 3].find((salt) => configVersion(DOCUMENT, salt) === outputs.secretVersion),
      'HttpApiArgs.logRetentionDays': () => input('cloudwatch/logGroup:LogGroup', 'da-access').retentionInDays,
      'AlarmsArgs.oldestMessageAgeSeconds': () => alarm('dal-q-oldest-age'),
      'AlarmsArgs.deadLetterAgeSeconds': () => alarm('dal-q-dlq-age'),
      'AlarmsArgs.api5xxPer5Minutes': () => alarm('dal-api-5xx'),
      'AlarmsArgs.apiThrottledPer5Minutes': () => alarm('dal-api-throttled'),
      'AlarmsArgs.callbackDrift.threshold': () => alarm('wa-alarms-callback-drift-kaleyra'),
      'AlarmsArgs.callbackDrift.periodSeconds': () =>
        input('cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-callback-drift-kaleyra').period,
      'AlarmsArgs.crossAccountCallbacks.threshold': () => alarm('wa-alarms-cross-account-callback-kaleyra'),
      'AlarmsArgs.crossAccountCallbacks.periodSeconds': () =>
        input('cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-cross-account-callback-kaleyra').period,
      'AlarmsArgs.failovers.threshold': () => alarm('wa-alarms-failover-livetok'),
      'AlarmsArgs.failovers.periodSeconds': () => input('cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-failover-livetok').period,
      'WhatsAppPipelineArgs.configVersion': () => [1, 2, 3].find((salt) => configVersion(DOCUMENT, salt) === outputs.pipelineVersion),
      'WhatsAppPipelineArgs.configMaxAgeSeconds': () => {
        const { variables } = input('lambda/function:Function', 'wa-sender').environment as { variables: Record<string, string> };
        return Number(variables.CONFIG_MAX_AGE_S);
      },
      'WhatsAppPipelineArgs.sender.batchSize': () => mapping('wa-send-consumer').batchSize,
      'WhatsAppPipelineArgs.sender.maximumBatchingWindowSeconds': () => mapping('wa-send-consumer').maximumBatchingWindowInSeconds ?? 0,
      'WhatsAppPipelineArgs.sender.maximumConcurrency': () =>
        (mapping('wa-send-consumer').scalingConfig as { maximumConcurrency: number }).maximumConcurrency,
      'WhatsAppPipelineArgs.sender.timeoutSeconds': () => input('lambda/function:Function', 'wa-sender').timeout,
      'WhatsAppPipelineArgs.sender.memoryMb': () => input('lambda/function:Function', 'wa-sender').memorySize,
      'WhatsAppPipelineArgs.webhook.reservedConcurrency': () =>
        input('lambda/function:Function', 'wa-webhook').reservedConcurrentExecutions,
      'WhatsAppPipelineArgs.push.maximumConcurrency': () =>
        (mapping('wa-push-consumer').scalingConfig as { maximumConcurrency: number }).maximumConcurrency,
      'WhatsAppPipelineArgs.logRetentionDays': () => input('cloudwatch/logGroup:LogGroup', 'wa-sender-logs').retentionInDays,
      'WhatsAppPipelineArgs.tableDeletionProtection': () => input('dynamodb/table:Table', 'wa-messages').deletionProtectionEnabled,
    };
    const documented = argsInterfaces
      .flatMap((i) => i.members)
      .flatMap((member) => {
        const literal = /^`(-?\d+|true|false)`/.exec(member.tags.get('default') ?? '')?.[1];
        return literal === undefined ? [] : [[member.path, JSON.parse(literal) as number | boolean] as const];
      });
    // Every documented number or boolean is checked: a new one needs its line above.
    expect(documented.map(([path]) => path).sort()).toEqual(Object.keys(planned).sort());
    for (const [path, value] of documented) expect(planned[path]!(), path).toBe(value);
  }, 120_000);
});
