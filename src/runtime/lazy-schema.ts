/**
 * A schema built on first use, not at import (issue 19: cold starts near their floor).
 *
 * Building a zod schema runs zod's constructors, and the first schema a process builds compiles
 * them: at import that is time every cold start pays before its first request, on paths that may
 * never parse anything (a status read has no send request; the webhook reads one provider's
 * callbacks). `lazySchema(() => z.strictObject(…))` stands for the schema the builder returns,
 * built once, when anything first touches it — `.parse`, `.shape`, `.optional()`, or zod reading
 * it inside another schema — and used as that schema from then on. Nothing is built, and no zod
 * code runs, until then.
 *
 * One helper for every site, in place of a memo per schema; the value keeps the schema's own type
 * and API (`SendRequest.shape.content`, `z.output<typeof SendRequest>`), so callers do not change.
 * A schema built from lazy ones (an object whose field is one) is lazy too only if it is itself
 * wrapped: composing at import touches the parts and builds them.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = () => (built ??= build());
  // The target is only a placeholder: every trap answers from the built schema. Descriptors are
  // reported configurable, as the placeholder does not hold them (zod's `_zod` is not).
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
