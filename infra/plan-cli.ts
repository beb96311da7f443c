/**
 * `npm run infra:plan [stack] [--stand-in-secrets]`: prints the resources the Pulumi program would
 * create for the stack (`Pulumi.<stack>.yaml`, default `dev`) as a JSON array of
 * `{type, name, inputs}`, under Pulumi's runtime mocks: no cloud, no CLI. Encrypted secrets are
 * planned with stand-ins; `--stand-in-secrets` plans a stack file that holds none (the example)
 * with a complete set. The write-only secret value is masked.
 */
import { plan } from './plan.ts';

const args = process.argv.slice(2);
const stack = args.find((arg) => !arg.startsWith('--')) ?? 'dev';
try {
  const { resources } = await plan(stack, undefined, { standInSecrets: args.includes('--stand-in-secrets') });
  const masked = resources.map(({ type, name, inputs }) => ({
    type,
    name,
    inputs: type === 'aws:secretsmanager/secretVersion:SecretVersion' ? { ...inputs, secretStringWo: '[secret]' } : inputs,
  }));
  process.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
} catch (error) {
  const message = (error as Error).message;
  console.error(`infra:plan: ${message}`);
  if (/secrets is not set/.test(message))
    console.error('infra:plan: to plan a stack file that holds no secrets, add --stand-in-secrets (generated stand-ins for every account)');
  process.exit(1);
}
