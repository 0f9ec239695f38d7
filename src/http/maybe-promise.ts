/**
 * "A value, or a promise of it": the contract of every step that answers at once when it can (a
 * credential verified recently, a user found in memory) and later only when it must wait (a
 * store, a key set, a body still arriving). A caller that receives one must handle both, and does
 * so through `whenSettled`, so that an answer that is already there never costs a promise.
 *
 * Invariant: a step that returns a promise returns one that settles; a step that returns a value
 * returns it settled. A store may hand back any thenable where the type says Promise: it is
 * treated as one and turned into a real Promise before it travels further.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Whether a step answered later (a promise, or a store's thenable) rather than at once. Hot paths
 * ask it before `whenSettled`: a value that is there is used as it is, and the closures
 * `whenSettled` takes are made only for one that is not (in a function of their own, since a
 * function whose locals a closure captures allocates their context on every call, path or not).
 */
export function isPending<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * `then(value)`, at once when `value` is there, else when it settles. What `then` throws on the
 * first path is thrown to the caller; on the second, the returned promise rejects with it, as
 * does one whose `value` rejected — unless `failed` is given, which then decides the answer (the
 * second path only: a caller that needs both wraps its own call in try/catch).
 * @example
 * return whenSettled(guard.decide(view, opts), (decision) => actOn(guard, view, decision, res, actions));
 */
export function whenSettled<T, R>(
  value: PromiseLike<T>,
  then: (value: T) => R,
  failed?: (error: unknown) => Awaited<R>,
): Promise<Awaited<R>>;
export function whenSettled<T, R>(
  value: MaybePromise<T> | PromiseLike<T>,
  then: (value: T) => R,
  failed?: (error: unknown) => Awaited<R>,
): R | Promise<Awaited<R>>;
export function whenSettled<T, R>(
  value: MaybePromise<T> | PromiseLike<T>,
  then: (value: T) => R,
  failed?: (error: unknown) => Awaited<R>,
): R | Promise<Awaited<R>> {
  if (!isPending(value)) return then(value);
  // Promise.resolve: a thenable becomes a real Promise (a native one is passed through as it is).
  const later = Promise.resolve(value).then(then) as Promise<Awaited<R>>;
  return failed ? later.catch(failed) : later;
}
