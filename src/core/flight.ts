import { untilAborted } from './abortable';
import { BouncerError, cancelledError } from './errors';
import type { FetchResponseLike } from './fetchLike';

/** Why the client stopped its own request: the server fell silent, or no more of the body is wanted. */
type StopCause = 'timeout' | 'done';

/**
 * One request in flight. Its signal, the one fetch gets, aborts when the caller's does (the person
 * cancelled) or when the client stops the request itself, which closes the connection without the
 * caller's signal being involved. Which of these happened decides what the person is told.
 */
export class Flight {
  readonly signal: AbortSignal;
  private readonly own = new AbortController();
  private stopCause: StopCause | undefined;

  constructor(
    readonly caller: AbortSignal,
    /** Longest silence tolerated: before the response headers, and between two body chunks. */
    readonly timeoutMs: number,
  ) {
    this.signal = AbortSignal.any([caller, this.own.signal]);
  }

  /** Aborts the request, unless it is already aborted (then the first cause stands). */
  stop(cause: StopCause): void {
    if (this.signal.aborted) return;
    this.stopCause = cause;
    this.own.abort(new Error(`request ${cause}`));
  }

  /**
   * Awaits one step of the request (the headers, one body chunk). When nothing arrives within
   * `timeoutMs` the request is stopped as timed out; rejects as soon as the flight aborts.
   * The timer runs per step, not per request: a slow consumer is not the server's silence.
   */
  step<T>(pending: Promise<T>): Promise<T> {
    const timer = setTimeout(this.timedOut, this.timeoutMs);
    const settled = untilAborted(pending, this.signal);
    const clear = (): void => clearTimeout(timer);
    settled.then(clear, clear);
    return settled;
  }

  private readonly timedOut = (): void => this.stop('timeout');

  /** Turns whatever fetch or a body read threw into cancelled / timeout / network. */
  failure(error: unknown, redact: (text: string) => string): BouncerError {
    if (error instanceof BouncerError) return error;
    if (this.caller.aborted) return cancelledError();
    if (this.stopCause === 'timeout') {
      return new BouncerError('timeout', `The server sent nothing for ${Math.round(this.timeoutMs / 1000)} s.`, {
        detail: `no data within ${this.timeoutMs} ms`,
      });
    }
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new BouncerError('network', 'The connection to the Bouncer server failed.', { detail: redact(text) });
  }

  /**
   * Reads a body as text, but never more than `maxChars` of it: `complete` is false (and the rest
   * unread) when there was more, or when reading failed (`error`, for the caller to map; `text` then
   * holds what arrived before).
   */
  async readText(
    response: FetchResponseLike,
    maxChars: number,
  ): Promise<{ text: string; complete: boolean; error?: unknown }> {
    let text = '';
    try {
      if (response.body === null) return { text, complete: true };
      const decoder = new TextDecoder();
      const iterator = response.body[Symbol.asyncIterator]();
      for (;;) {
        const next = await this.step(iterator.next());
        if (next.done) return { text: text + decoder.decode(), complete: true };
        text += typeof next.value === 'string' ? next.value : decoder.decode(next.value, { stream: true });
        if (text.length > maxChars) {
          iterator.return?.()?.catch(() => undefined);
          return { text: text.slice(0, maxChars), complete: false };
        }
      }
    } catch (error) {
      return { text, complete: false, error: error ?? new Error('body read failed') };
    }
  }
}
