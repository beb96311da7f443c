/**
 * `npm run infra:plan [stack] [--stand-in-secrets]`: prints the resources the Pulumi program would
 * create for the stack (`Pulumi.<stack>.yaml`, default `dev`) as a JSON array of
 * `{type, name, inputs}`, under Pulumi's runtime mocks: no cloud, no CLI. Encrypted secrets are
 * planned with stand-ins; `--stand-in-secrets` plans a stack file that holds none (the example)
 * with a complete set. The write-only secret value is masked. Then it checks the policies
 * (policies.ts) over the plan: each violation is printed on stderr, and the exit status is 1 —
 * what a transform added to the program (infra/index.ts) must not break.
 */
import { plan } from './plan.ts';
import { checkPolicies } from './policies.ts';

const args = process.argv.slice(2);
const stack = args.find((arg) => !arg.startsWith('--')) ?? 'dev';
try {
  const planned = await plan(stack, undefined, { standInSecrets: args.includes('--stand-in-secrets') });
  const masked = planned.resources.map(({ type, name, inputs }) => ({
    type,
    name,
    inputs: type === 'aws:secretsmanager/secretVersion:SecretVersion' ? { ...inputs, secretStringWo: '[secret]' } : inputs,
  }));
  process.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
  const violations = checkPolicies(planned);
  for (const { policy, resource, message } of violations) console.error(`infra:plan: policy ${policy}: ${resource}: ${message}`);
  if (violations.length > 0) process.exit(1);
} catch (error) {
  const message = (error as Error).message;
  console.error(`infra:plan: ${message}`);
  if (/secrets is not set/.test(message))
    console.error('infra:plan: to plan a stack file that holds no secrets, add --stand-in-secrets (generated stand-ins for every account)');
  process.exit(1);
}
