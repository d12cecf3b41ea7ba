/**
 * Finding the address and name columns of a contacts table. Exports name the email column in
 * many spellings (`Email`, `E-mail Address`, `email_address`, ...); comparing names with case,
 * spaces and punctuation removed covers them without a list of every variant.
 */

/** Header names, reduced by {@link normalizeHeaderName}, that hold the email address. */
const EMAIL_NAMES: ReadonlySet<string> = new Set([
  'email',
  'emailaddress',
  'emailaddr',
  'mail',
  'mailaddress',
  'emails',
  'emailid',
  'contactemail',
  'workemail',
  'businessemail',
  'primaryemail',
]);

/** Header names, reduced, that hold a person's full name, best first. */
const NAME_NAMES: readonly string[] = ['name', 'fullname', 'contactname', 'displayname', 'contact'];

/** Header names, reduced, that hold a first name when no full-name column exists. */
const FIRST_NAME_NAMES: readonly string[] = ['firstname', 'givenname', 'first', 'forename'];

/** Share of non-empty sample values that must be addresses for an unnamed column to count. */
const ADDRESS_SHARE = 0.5;

/**
 * An address as Bouncer would accept it for verification: one `@`, a non-empty local part
 * without spaces, and a domain with a dot and no spaces. Deliberately loose; Bouncer decides
 * what is deliverable, this only sets aside lines that are not addresses at all.
 */
export function looksLikeEmail(value: string): boolean {
  const text = value.trim();
  if (text.length === 0 || text.length > 254) {
    return false;
  }
  return /^[^\s@"<>,;()[\]]+@[^\s@"<>,;()[\]]+\.[^\s@"<>,;()[\].]+$/.test(text) && !/\.\./.test(text);
}

/** A header name with case, surrounding quotes, spaces and punctuation removed. */
export function normalizeHeaderName(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The index of the column holding email addresses: the first whose header names one, else the
 * column whose sample values are mostly addresses (the most such values wins), else -1.
 */
export function findEmailColumn(header: readonly string[], sample: readonly (readonly string[])[] = []): number {
  const named = header.findIndex((name) => EMAIL_NAMES.has(normalizeHeaderName(name)));
  if (named >= 0) {
    return named;
  }
  // A header name containing "email" ("Email (work)", "customer email") beats sampling.
  const containing = header.findIndex((name) => normalizeHeaderName(name).includes('email'));
  if (containing >= 0) {
    return containing;
  }
  let best = -1;
  let bestCount = 0;
  for (let column = 0; column < header.length; column++) {
    let filled = 0;
    let addresses = 0;
    for (const row of sample) {
      const value = row[column]?.trim() ?? '';
      if (value.length > 0) {
        filled++;
        if (looksLikeEmail(value)) {
          addresses++;
        }
      }
    }
    if (addresses > 0 && addresses / filled > ADDRESS_SHARE && addresses > bestCount) {
      best = column;
      bestCount = addresses;
    }
  }
  return best;
}

/**
 * The index of the column holding a person's name: a full-name column, else a first-name
 * column, else -1. Joining first and last names is left out on purpose: Bouncer keeps one
 * `name` string and a first name alone is what most exports would give it anyway.
 */
export function findNameColumn(header: readonly string[]): number {
  const normalized = header.map(normalizeHeaderName);
  for (const names of [NAME_NAMES, FIRST_NAME_NAMES]) {
    for (const name of names) {
      const index = normalized.indexOf(name);
      if (index >= 0) {
        return index;
      }
    }
  }
  return -1;
}
