import { BouncerError } from './errors';

/** Longest batch ID accepted. Real IDs are 24 hex characters; the format is undocumented, so leave room. */
export const MAX_BATCH_ID_LENGTH = 128;

// An allow-list, not a deny-list: anything outside it (`/`, `\`, `.`, `%`, `?`, `#`, spaces, control
// characters, non-ASCII letters) could change which URL the key is sent to, so it never gets that far.
const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Validates a batch ID typed by a user or passed to a command. The input is trimmed first; the result
 * is either the clean ID or one sentence saying what is wrong, suitable for an input box.
 */
export function validateBatchId(raw: string): { ok: true; id: string } | { ok: false; message: string } {
  if (typeof raw !== 'string') return { ok: false, message: 'The batch ID must be text.' };
  const id = raw.trim();
  if (id.length === 0) return { ok: false, message: 'Enter a batch ID.' };
  if (id.length > MAX_BATCH_ID_LENGTH) {
    return { ok: false, message: `A batch ID is at most ${MAX_BATCH_ID_LENGTH} characters long.` };
  }
  if (!BATCH_ID_PATTERN.test(id)) {
    return {
      ok: false,
      message: `A batch ID may contain only letters A–Z, digits, "-" and "_" (found ${describeFirstBadChar(id)}).`,
    };
  }
  return { ok: true, id };
}

/** Like {@link validateBatchId}, but returns the clean ID or throws `BouncerError('invalidBatchId')`. */
export function assertValidBatchId(raw: string): string {
  const result = validateBatchId(raw);
  if (!result.ok) throw new BouncerError('invalidBatchId', result.message);
  return result.id;
}

/** Names the first offending character without echoing control characters into the UI. */
function describeFirstBadChar(id: string): string {
  for (const char of id) {
    if (/^[A-Za-z0-9_-]$/.test(char)) continue;
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
    }
    if (char === ' ') return 'a space';
    if (/\s/u.test(char)) return 'whitespace';
    return `"${char}"`;
  }
  return 'an unexpected character';
}
