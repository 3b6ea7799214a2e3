/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts — whichever is
 * first. A late rejection of `promise` is swallowed so it never becomes unhandled.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason as unknown);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Aborts `controller` with `reason()` when `parent` aborts; returns the unlink function. */
export function linkAbort(
  parent: AbortSignal | undefined,
  controller: AbortController,
  reason: () => unknown,
): () => void {
  if (!parent) return () => {};
  if (parent.aborted) {
    controller.abort(reason());
    return () => {};
  }
  const onAbort = (): void => controller.abort(reason());
  parent.addEventListener("abort", onAbort, { once: true });
  return () => parent.removeEventListener("abort", onAbort);
}
