/**
 * A signal that aborts after `ms` milliseconds with a `TimeoutError` (what `AbortSignal.timeout`
 * gives), or when `outer` aborts, with its reason.
 *
 * Held strongly until it fires: the timer's callback holds the controller (Node's
 * `AbortSignal.timeout` timer holds its signal only weakly, and `AbortSignal.any` its sources, so
 * such a signal is only as alive as what else refers to it). The timer is unref'd: it never keeps a
 * process alive on its own, and it keeps running after the answer's headers, so reading the body
 * stays under the same deadline.
 *
 * Found under load: a provider call whose deadline was `fetch(new Request(input, { signal:
 * AbortSignal.any([..., AbortSignal.timeout(ms)]) }))` outlived a 200 ms deadline by 30 s; under
 * forced garbage collection it never ends (see deadline.test.ts and src/sender/sender.ts
 * `withDeadline`).
 */
export function deadlineSignal(ms: number, outer?: AbortSignal | null): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms).unref();
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  }
  return controller.signal;
}
