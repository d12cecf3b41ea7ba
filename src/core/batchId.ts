import { BouncerError } from './errors';

/** Longest batch ID accepted. Real IDs are 24 hex characters; the format is undocumented, so leave room. */
export const MAX_BATCH_ID_LENGTH = 128;

// An allow-list, not a deny-list: anything outside it (`/`, `\`, `.`, `%`, `?`, `#`, spaces, control
// characters, non-ASCII letters) could change which URL the key is sent to, so it never gets that far.
const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Why a batch ID is not valid, as a code with its parameters: the host words it in the user's
 * language (`host/errorMessages.ts`); `message` beside it is the English sentence for logs.
 */
export type BatchIdProblem =
  { code: 'notText' } | { code: 'empty' } | { code: 'tooLong'; max: number } | { code: 'badChar'; found: BadChar };

/** The first character outside the allow-list, named without echoing control characters. */
export type BadChar =
  { kind: 'control'; codePoint: string } | { kind: 'space' } | { kind: 'whitespace' } | { kind: 'char'; char: string };

/**
 * Validates a batch ID typed by a user or passed to a command. The input is trimmed first; the result
 * is either the clean ID or why it is not one: a {@link BatchIdProblem} and its English sentence.
 */
export function validateBatchId(
  raw: string,
): { ok: true; id: string } | { ok: false; problem: BatchIdProblem; message: string } {
  const fail = (problem: BatchIdProblem) => ({ ok: false as const, problem, message: batchIdProblemEnglish(problem) });
  if (typeof raw !== 'string') return fail({ code: 'notText' });
  const id = raw.trim();
  if (id.length === 0) return fail({ code: 'empty' });
  if (id.length > MAX_BATCH_ID_LENGTH) return fail({ code: 'tooLong', max: MAX_BATCH_ID_LENGTH });
  if (!BATCH_ID_PATTERN.test(id)) return fail({ code: 'badChar', found: firstBadChar(id) });
  return { ok: true, id };
}

/** The English sentence for a problem: for logs, and the text of the `BouncerError` thrown for it. */
export function batchIdProblemEnglish(problem: BatchIdProblem): string {
  switch (problem.code) {
    case 'notText':
      return 'The batch ID must be text.';
    case 'empty':
      return 'Enter a batch ID.';
    case 'tooLong':
      return `A batch ID is at most ${problem.max} characters long.`;
    case 'badChar':
      return `A batch ID may contain only letters A–Z, digits, "-" and "_" (found ${badCharEnglish(problem.found)}).`;
  }
}

function badCharEnglish(found: BadChar): string {
  switch (found.kind) {
    case 'control':
      return `a control character (U+${found.codePoint})`;
    case 'space':
      return 'a space';
    case 'whitespace':
      return 'whitespace';
    case 'char':
      return `"${found.char}"`;
  }
}

/** The error for an ID that failed validation: the problem rides along so the host can word it. */
export function invalidBatchIdError(problem: BatchIdProblem): BouncerError {
  return new BouncerError('invalidBatchId', batchIdProblemEnglish(problem), { reason: problem });
}

/** Like {@link validateBatchId}, but returns the clean ID or throws `BouncerError('invalidBatchId')`. */
export function assertValidBatchId(raw: string): string {
  const result = validateBatchId(raw);
  if (!result.ok) throw invalidBatchIdError(result.problem);
  return result.id;
}

function firstBadChar(id: string): BadChar {
  for (const char of id) {
    if (/^[A-Za-z0-9_-]$/.test(char)) continue;
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      return { kind: 'control', codePoint: code.toString(16).toUpperCase().padStart(4, '0') };
    }
    if (char === ' ') return { kind: 'space' };
    if (/\s/u.test(char)) return { kind: 'whitespace' };
    return { kind: 'char', char };
  }
  // Unreachable: the pattern failed, so some character is outside it.
  return { kind: 'whitespace' };
}
