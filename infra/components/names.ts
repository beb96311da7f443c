/**
 * Names AWS sees, derived from the project, the stack and the component: a stack may be called
 * `acme.prod.eu-west-1` or be long, but a Lambda function name allows only letters, digits, `-` and
 * `_`, at most 64 of them. Too long a name keeps its end (the part that says which function it is)
 * and a short hash of the whole, so two stacks never share a name.
 */
import { createHash } from 'node:crypto';

/** A Lambda function's name limit (CloudWatch log group names, up to 512, follow from it). */
export const FUNCTION_NAME_MAX = 64;

/** `parts` joined with `-`, with every character Lambda refuses turned into `-`, at most `max` long. */
export function awsName(parts: readonly string[], max = FUNCTION_NAME_MAX): string {
  const joined = parts.join('-');
  const clean = joined.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-');
  if (clean.length <= max) return clean;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 8);
  const last = parts
    .at(-1)!
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .slice(-(max - hash.length - 2));
  const head = clean.slice(0, max - last.length - hash.length - 2).replace(/-+$/, '');
  return [head, hash, last].filter(Boolean).join('-');
}
