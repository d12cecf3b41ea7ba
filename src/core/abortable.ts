/**
 * Settles like `step`, or rejects with the signal's reason as soon as `signal` aborts, whichever
 * comes first. For a step that may not answer an abort by itself: a body iterator handed in by the
 * caller can be any async iterable, and one that ignores the abort must not hold a cancel or a
 * timeout up.
 *
 * Written with a plain listener rather than `Promise.race` with `events.once(signal, 'abort')`:
 * it runs once per body chunk, and that form (an AbortController and a promise chain per call)
 * made a download's client side ten times slower.
 */
export function untilAborted<T>(step: Promise<T>, signal: AbortSignal): Promise<T> {
  // Once the abort won, `step` may still reject (a stream errors when aborted); nobody listens then.
  step.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // The signal may live far longer than one step: the listener goes as soon as the step settles.
    step.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
