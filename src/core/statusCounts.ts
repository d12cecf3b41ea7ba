import { STATUSES } from './records';

/**
 * Most status keys one table of counts keeps. The server chooses status strings; the table goes into
 * VS Code's global state and the Batches tree, so a body with a thousand made-up statuses must not
 * grow either without bound.
 */
export const MAX_STATUS_KEYS = 32;

/** Longest status key kept as it is; a longer one is cut (and may then share a count with another). */
export const MAX_STATUS_KEY_LENGTH = 64;

/** The key that counts every status beyond {@link MAX_STATUS_KEYS}. */
export const OTHER_STATUSES = '(other)';

const DOCUMENTED: ReadonlySet<string> = new Set(STATUSES);
/** Undocumented keys admitted before the rest fold into OTHER: the documented ones and OTHER always fit. */
const MAX_EXTRA_KEYS = MAX_STATUS_KEYS - STATUSES.length - 1;

/** A status as a key: the server's string, cut to {@link MAX_STATUS_KEY_LENGTH} characters with "…". */
export function statusKey(status: string): string {
  if (status.length <= MAX_STATUS_KEY_LENGTH) return status;
  let end = MAX_STATUS_KEY_LENGTH - 1;
  // Never keep half of a surrogate pair.
  const last = status.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${status.slice(0, end)}…`;
}

/**
 * Counts per status string, bounded: keys are cut to {@link MAX_STATUS_KEY_LENGTH}; the documented
 * statuses always get their own key, the first undocumented ones too until {@link MAX_STATUS_KEYS}
 * would be passed, and later ones are added up under {@link OTHER_STATUSES}. A `Map`, so a status
 * such as `constructor` or `__proto__` is just a string.
 */
export class StatusCounts {
  private readonly counts = new Map<string, number>();
  private extraKeys = 0;

  /** Adds `n` records of `status`. */
  add(status: string, n = 1): void {
    const key = this.keyFor(status);
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Sets the count of `status` (an exact count from a single-status download). */
  set(status: string, n: number): void {
    this.counts.set(this.keyFor(status), n);
  }

  /**
   * The counts as a plain object for JSON. `Object.fromEntries` defines own keys, so a `__proto__`
   * status is a key like any other; read it back with {@link countOf}, which ignores inherited ones.
   */
  toObject(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  private keyFor(status: string): string {
    const key = statusKey(status);
    if (this.counts.has(key) || DOCUMENTED.has(key) || key === OTHER_STATUSES) return key;
    if (this.extraKeys < MAX_EXTRA_KEYS) {
      this.extraKeys++;
      return key;
    }
    return OTHER_STATUSES;
  }
}

/** Reads one count of a table whose keys came from a server: own keys only, 0 when absent. */
export function countOf(counts: Readonly<Record<string, number>>, status: string): number {
  return Object.hasOwn(counts, status) ? counts[status] : 0;
}
