/**
 * The program's AWS provider: the default one, plus default tags on every resource that takes
 * tags — `project` and `stack`, the stack's `tags`, and any `aws:defaultTags` it sets. It takes
 * the stack's non-secret `aws:` settings below; anything else (credentials) comes from the
 * environment, as for any AWS tool. An `aws:` setting it would not pass on stops the program
 * rather than being ignored.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from '../src/config/pipeline.ts';

/** The `aws:` settings passed on to the provider (objects as in the stack file). */
const PASSED = [
  'region',
  'profile',
  'assumeRoles',
  'allowedAccountIds',
  'forbiddenAccountIds',
  'sharedConfigFiles',
  'sharedCredentialsFiles',
  'defaultTags',
] as const;

export function awsProvider(tags: Record<string, string> = {}): aws.Provider {
  const config = new pulumi.Config('aws');
  const unknown = Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith('aws:'))
    .map((key) => key.slice(4))
    .filter((key) => !(PASSED as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(
      `aws:${unknown.join(', aws:')}: not passed to the program's AWS provider; ` +
        'set credentials through the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, …)',
    );
  }
  const settings = Object.fromEntries(
    PASSED.filter((key) => key !== 'defaultTags').flatMap((key) => {
      const value = key === 'region' || key === 'profile' ? config.get(key) : config.getObject<unknown>(key);
      return value === undefined ? [] : [[key, value]];
    }),
  ) as Partial<aws.ProviderArgs>;
  const configured = config.getObject<{ tags?: Record<string, string> }>('defaultTags')?.tags ?? {};
  return new aws.Provider('aws', {
    ...settings,
    defaultTags: { tags: { ...configured, ...tags, project: pulumi.getProject(), stack: pulumi.getStack() } },
  });
}
