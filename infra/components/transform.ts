/**
 * The escape hatch for what a component does not expose as an argument, as SST's components have
 * it: every component takes a `transform` with one entry per kind of AWS resource it creates, and
 * each entry is applied to that resource's arguments just before the resource is created.
 *
 * An entry is either a partial of the resource's arguments, merged over the component's own
 * (one level deep: `{ environment: … }` replaces the whole environment; `{ redrivePolicy:
 * undefined }` removes it), or a callback that gets the arguments, the resource options and the
 * resource's name, and changes them in place (for a change that depends on what the component
 * set, or one of the options: `protect`, `ignoreChanges`, `dependsOn`, `retainOnDelete`…).
 *
 * A transform can undo what the component guarantees (a dead-letter queue, a visibility timeout
 * six times the consumer's): the components re-check what they check at construction against
 * the transformed values when those are plain, and the policies (infra/policies.ts, run by the
 * infra tests and `npm run infra:plan`) check the whole program as it would be deployed.
 */
import type * as pulumi from '@pulumi/pulumi';

/**
 * Changes to a resource's arguments: a partial merged over them, or a callback that changes the
 * arguments (and the options) in place. The callback's return value is ignored.
 */
export type Transform<T> = Partial<T> | ((args: T, opts: pulumi.CustomResourceOptions, name: string) => void);

/**
 * `[name, args, opts]` for `new aws.…(...)`, with `change` applied: a partial merged over `args`
 * (a new object), or a callback called with `args`, `opts` and `name` to change them in place.
 */
export function transform<T extends object>(
  change: Transform<T> | undefined,
  name: string,
  args: T,
  opts: pulumi.CustomResourceOptions,
): [string, T, pulumi.CustomResourceOptions] {
  if (typeof change === 'function') {
    change(args, opts, name);
    return [name, args, opts];
  }
  return [name, { ...args, ...change }, opts];
}

/** One transform that applies each of `changes` in turn (e.g. one for every function, then one for this function). */
export function chain<T extends object>(...changes: Array<Transform<T> | undefined>): Transform<T> | undefined {
  const given = changes.filter((change): change is Transform<T> => change !== undefined);
  if (given.length <= 1) return given[0];
  return (args, opts, name) => {
    for (const change of given) {
      if (typeof change === 'function') change(args, opts, name);
      else Object.assign(args, change);
    }
  };
}
