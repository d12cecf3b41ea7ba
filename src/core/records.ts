/**
 * The Bouncer EmailRecord as the batch download returns it
 * (see shared spec `bouncer-batch-download.md`). Enum-typed fields are declared
 * with their documented values but typed as `string` where the server may add
 * values later: unknown values are shown as they are, never dropped.
 *
 * Only `email` and `status` are checked on ingest (`checkStructure`); the other fields are kept as
 * the server sent them, so a record read from the cache may hold `null`, a number as a string or
 * any other JSON value where this type says otherwise. Code reading records must not rely on them.
 *
 * What the extension does with each field (its column, label, CSV cell, storage) is in one table,
 * `recordColumns.ts`; this file holds the type and the documented value sets.
 */

export const STATUSES = ['deliverable', 'risky', 'undeliverable', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

export const REASONS = [
  'accepted_email',
  'low_deliverability',
  'low_quality',
  'invalid_email',
  'invalid_domain',
  'rejected_email',
  'dns_error',
  'unavailable_smtp',
  'unsupported',
  'timeout',
  'unknown',
] as const;
export type Reason = (typeof REASONS)[number];

export const YES_NO_UNKNOWN = ['yes', 'no', 'unknown'] as const;
export type YesNoUnknown = (typeof YES_NO_UNKNOWN)[number];

/** Values of the `download` query parameter. */
export const DOWNLOAD_FILTERS = ['all', ...STATUSES] as const;
export type DownloadFilter = (typeof DOWNLOAD_FILTERS)[number];

export function isDownloadFilter(value: unknown): value is DownloadFilter {
  return typeof value === 'string' && (DOWNLOAD_FILTERS as readonly string[]).includes(value);
}

export interface EmailRecord {
  email: string;
  status: Status | string;
  reason: Reason | string;
  /** Present when a name was sent when the batch was created. */
  name?: string;
  domain?: {
    name: string;
    acceptAll: YesNoUnknown | string;
    disposable: YesNoUnknown | string;
    free: YesNoUnknown | string;
  };
  account?: {
    role: YesNoUnknown | string;
    disabled: YesNoUnknown | string;
    fullMailbox: YesNoUnknown | string;
  };
  dns?: {
    type: string;
    record?: string;
  };
  provider?: string;
  /** A number as documented, or the text the server sent instead (`"100"`), kept as it was. */
  score?: number | string;
  toxic?: string;
  /** Documented as 0–5 in one place and 0–100 in another: any integer is accepted. */
  toxicity?: number | string;
  /** Set when results may come later (greylisting); format undocumented. */
  retryAfter?: string;
}
