import { isJsonWhitespace } from './bytes';
import { BouncerError } from './errors';
import { MAX_LEADING_BYTES, onlyWhitespaceError } from './recordSplitter';
import { MAX_ERROR_BODY_CHARS, parseServerError } from './serverError';

/**
 * Looks at the first significant byte of a JSON results body. Results are an array; an object there
 * is an error the server sent with a 200 (`{"status":404,...}`), reported now as invalidBody with the
 * server's message, before the caller creates any file. Returns a body that replays what was read.
 * What it keeps for the replay is bounded: a body with no significant byte in its first
 * {@link MAX_LEADING_BYTES} is refused (invalidBody) and the request aborted.
 */
export async function sniffJsonBody(
  body: AsyncIterable<Uint8Array>,
  redact: (text: string) => string,
): Promise<AsyncIterable<Uint8Array>> {
  const iterator = body[Symbol.asyncIterator]();
  const prefix: Uint8Array[] = [];
  let held = 0;
  let first: number | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    const at = firstSignificantIndex(next.value, held === 0);
    if (held + (at ?? next.value.length) > MAX_LEADING_BYTES) {
      await iterator.return?.();
      throw onlyWhitespaceError();
    }
    prefix.push(next.value);
    held += next.value.length;
    if (at !== undefined) first = next.value[at];
  }
  if (first === 0x7b /* { */) {
    let text = Buffer.concat(prefix).toString('utf8');
    while (text.length < MAX_ERROR_BODY_CHARS) {
      const next = await iterator.next();
      if (next.done) break;
      text += Buffer.from(next.value).toString('utf8');
    }
    await iterator.return?.();
    const server = parseServerError(text.replace(/^\uFEFF/, ''));
    throw new BouncerError('invalidBody', 'The server sent an error object instead of results.', {
      httpStatus: server?.status,
      serverMessage: server?.message === undefined ? undefined : redact(server.message),
      detail: redact(`200 with body: ${text.slice(0, 200)}`),
      reason: { code: 'bodyErrorObject' },
    });
  }
  return {
    [Symbol.asyncIterator]: async function* () {
      try {
        yield* prefix;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // Ends the guarded body too when the consumer stops early, which closes the connection.
        await iterator.return?.();
      }
    },
  };
}

/** Where the first byte that is not whitespace (nor, at the very start, a UTF-8 BOM) is, if any. */
function firstSignificantIndex(chunk: Uint8Array, atStart: boolean): number | undefined {
  let i = atStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  for (; i < chunk.length; i++) {
    if (!isJsonWhitespace(chunk[i])) return i;
  }
  return undefined;
}
