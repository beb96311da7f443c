/**
 * `npm run infra:plan [stack]`: prints the resources the Pulumi program would create for the stack
 * (`Pulumi.<stack>.yaml`, default `dev`) as a JSON array of `{type, name, inputs}`, under Pulumi's
 * runtime mocks: no cloud, no CLI. The write-only secret value is masked.
 */
import { plan } from './plan.ts';

const stack = process.argv[2] ?? 'dev';
try {
  const { resources } = await plan(stack);
  const masked = resources.map((r) => (r.type === 'aws:secretsmanager/secretVersion:SecretVersion' ? { ...r, inputs: { ...r.inputs, secretStringWo: '[secret]' } } : r));
  process.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
} catch (error) {
  console.error(`infra:plan: ${(error as Error).message}`);
  process.exit(1);
}
