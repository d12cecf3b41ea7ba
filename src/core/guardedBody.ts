import { BouncerError, cancelledError } from './errors';
import type { Flight } from './flight';
import { formatBytes } from './format';

export interface BodyGuard {
  /** Most bytes the body may yield, counted after decompression. */
  maxBytes: number;
  /** The server compressed the body (so the limit is passed by what it expands to). */
  encoded: boolean;
  redact: (text: string) => string;
}

/**
 * Wraps a results body: an idle timeout per chunk, errors mapped to BouncerErrors, strings turned
 * into bytes, a size cap, and the request aborted whenever iteration ends before the body did.
 */
export function guardBody(
  source: AsyncIterable<Uint8Array | string>,
  flight: Flight,
  guard: BodyGuard,
): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: async function* () {
      const iterator = source[Symbol.asyncIterator]();
      let finished = false;
      let received = 0;
      try {
        for (;;) {
          if (flight.caller.aborted) throw cancelledError();
          let next: IteratorResult<Uint8Array | string>;
          try {
            next = await flight.step(iterator.next());
          } catch (error) {
            throw flight.failure(error, guard.redact);
          }
          if (next.done) {
            finished = true;
            return;
          }
          const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
          // fetch yields decompressed bytes: this counts what a gzip bomb expands to, not what it weighs.
          received += chunk.length;
          if (received > guard.maxBytes) throw tooLarge(guard.maxBytes, guard.encoded);
          yield chunk;
        }
      } finally {
        if (!finished) {
          flight.stop('done');
          // Let the source release its resources; its own error (it was aborted) is of no interest.
          iterator.return?.()?.catch(() => undefined);
        }
      }
    },
  };
}

function tooLarge(maxBytes: number, encoded: boolean): BouncerError {
  const limit = formatBytes(maxBytes);
  return new BouncerError(
    'tooLarge',
    encoded
      ? `The compressed download expands to more than the ${limit} download size limit.`
      : `The download is larger than the ${limit} download size limit.`,
    {
      detail: `stopped after ${maxBytes} bytes${encoded ? ' (decompressed)' : ''}`,
      reason: { code: 'sizeLimit', limitBytes: maxBytes, encoded },
    },
  );
}
