import type { EmailRecord, Reason, Status, YesNoUnknown } from '../src/core/records';

/**
 * Deterministic synthetic results for the `gen-<N>` batches, benchmarks and tests.
 * Every record is a pure function of (seed, index): the same N and seed always give the same
 * bytes, a record can be produced without its predecessors, and the status counts of a batch can be
 * computed without building the records (see {@link statusAt}).
 */

/** Largest generated batch the emulator serves. */
export const MAX_GENERATED_RECORDS = 1_000_000;

export const DEFAULT_SEED = 1;

/** 32-bit mix of (seed, index) → [0, 2^32); a few multiply-xorshift rounds are plenty for test data. */
function hash32(seed: number, index: number, salt: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: a tiny PRNG, seeded per record so records are independent of each other. */
function makeRandom(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Status of record `index`: about 68% deliverable, 14% risky, 13% undeliverable, 5% unknown,
 * roughly what a cleaned marketing list looks like.
 */
export function statusAt(index: number, seed = DEFAULT_SEED): Status {
  const u = hash32(seed, index, 0x51) / 4294967296;
  if (u < 0.68) return 'deliverable';
  if (u < 0.82) return 'risky';
  if (u < 0.95) return 'undeliverable';
  return 'unknown';
}

/** Counts per status of `gen-<n>` without generating its records. */
export function statusCounts(n: number, seed = DEFAULT_SEED): Record<Status, number> {
  const counts: Record<Status, number> = { deliverable: 0, risky: 0, undeliverable: 0, unknown: 0 };
  for (let i = 0; i < n; i++) counts[statusAt(i, seed)]++;
  return counts;
}

const FIRST_NAMES = [
  'anna',
  'ben',
  'carla',
  'david',
  'emma',
  'felix',
  'grace',
  'hugo',
  'ines',
  'jonas',
  'kate',
  'liam',
  'maria',
  'noah',
  'olga',
  'pablo',
  'quinn',
  'rosa',
  'sam',
  'tara',
  'umar',
  'vera',
  'wei',
  'yusuf',
  'zoe',
];
const LAST_NAMES = [
  'smith',
  'muller',
  'garcia',
  'rossi',
  'kowalski',
  'nguyen',
  'okafor',
  'tanaka',
  'silva',
  'novak',
  'jensen',
  'dubois',
  'khan',
  'ivanova',
  'brown',
  'lopez',
  'fischer',
  'haddad',
  'moreau',
  'park',
];
/** Display names with non-ASCII letters, used for the records that carry a `name`. */
const DISPLAY_FIRST = [
  'Anna',
  'Ben',
  'Carla',
  'José',
  'Zoë',
  'Łukasz',
  'Ingrid',
  'Søren',
  'Chloé',
  'Mehmet',
  'Yuki',
  'Đorđe',
];
const DISPLAY_LAST = [
  'Smith',
  'Müller',
  'García',
  'Rossi',
  'Kowalski',
  'Nguyễn',
  'Okafor',
  'Tanaka',
  'Ødegaard',
  'Çelik',
];

interface FreeDomain {
  name: string;
  provider: string;
  mx: string;
}
const FREE_DOMAINS: FreeDomain[] = [
  { name: 'gmail.com', provider: 'google.com', mx: 'gmail-smtp-in.l.google.com.' },
  { name: 'yahoo.com', provider: 'yahoo.com', mx: 'mta5.am0.yahoodns.net.' },
  { name: 'outlook.com', provider: 'outlook.com', mx: 'outlook-com.olc.protection.outlook.com.' },
  { name: 'hotmail.com', provider: 'outlook.com', mx: 'hotmail-com.olc.protection.outlook.com.' },
  { name: 'icloud.com', provider: 'icloud.com', mx: 'mx01.mail.icloud.com.' },
  { name: 'gmx.de', provider: 'gmx.net', mx: 'mx00.emig.gmx.net.' },
  { name: 'proton.me', provider: 'protonmail.ch', mx: 'mail.protonmail.ch.' },
];
const DISPOSABLE_DOMAINS = ['mailinator.com', 'trashmail.com', '10minutemail.com', 'guerrillamail.com'];
const COMPANY_WORDS = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'stark',
  'wayne',
  'wonka',
  'tyrell',
  'cyberdyne',
];
const COMPANY_TLDS = ['com', 'io', 'de', 'co.uk', 'fr', 'pl', 'net'];
const BUSINESS_HOSTS = [
  { provider: 'google.com', mx: 'aspmx.l.google.com.' },
  { provider: 'outlook.com', mx: 'mail.protection.outlook.com.' },
  { provider: 'zoho.com', mx: 'mx.zoho.eu.' },
];
const ROLE_LOCALS = ['info', 'sales', 'support', 'admin', 'contact', 'office'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** The `index`-th record of a generated batch. */
export function generateRecord(index: number, seed = DEFAULT_SEED): EmailRecord {
  const status = statusAt(index, seed);
  const random = makeRandom(hash32(seed, index, 0xa7));
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);

  // Domain: ~55% free mail, ~40% company, the disposable ones only where the status allows it.
  let domainName: string;
  let provider: string;
  let mx: string;
  let free: YesNoUnknown = 'no';
  let disposable: YesNoUnknown = 'no';
  const domainRoll = random();
  if (status === 'risky' && domainRoll < 0.25) {
    domainName = pick(random, DISPOSABLE_DOMAINS);
    provider = domainName;
    mx = `mx.${domainName}.`;
    disposable = 'yes';
  } else if (domainRoll < 0.55) {
    const host = pick(random, FREE_DOMAINS);
    domainName = host.name;
    provider = host.provider;
    mx = host.mx;
    free = 'yes';
  } else {
    domainName = `${pick(random, COMPANY_WORDS)}${between(random, 1, 400)}.${pick(random, COMPANY_TLDS)}`;
    const host = pick(random, BUSINESS_HOSTS);
    provider = host.provider;
    mx = host.mx;
  }

  const role = free === 'no' && random() < 0.08;
  const local = role ? `${pick(random, ROLE_LOCALS)}${index}` : `${first}.${last}${index}`;
  const email = `${local}@${domainName}`;

  let reason: Reason;
  let acceptAll: YesNoUnknown = 'no';
  let score: number;
  switch (status) {
    case 'deliverable':
      reason = 'accepted_email';
      score = between(random, 80, 100);
      break;
    case 'risky':
      if (disposable === 'yes' || role) {
        reason = 'low_quality';
        score = between(random, 20, 50);
      } else {
        reason = 'low_deliverability';
        acceptAll = 'yes';
        score = between(random, 40, 75);
      }
      break;
    case 'undeliverable':
      reason = pick(random, [
        'rejected_email',
        'rejected_email',
        'rejected_email',
        'invalid_domain',
        'invalid_email',
        'dns_error',
      ] as const);
      score = 0;
      break;
    default:
      reason = pick(random, ['unavailable_smtp', 'timeout', 'unsupported', 'unknown'] as const);
      score = between(random, 5, 40);
      acceptAll = 'unknown';
  }

  const record: EmailRecord = { email, status, reason };
  if (random() < 0.3) record.name = `${pick(random, DISPLAY_FIRST)} ${pick(random, DISPLAY_LAST)}`;
  // Invalid syntax and dead domains come back without the domain/account/DNS details.
  const hasDetails = reason !== 'invalid_email' && reason !== 'invalid_domain';
  if (hasDetails) {
    record.domain = { name: domainName, acceptAll, disposable, free };
    record.account = {
      role: role ? 'yes' : 'no',
      disabled: reason === 'rejected_email' && random() < 0.3 ? 'yes' : status === 'unknown' ? 'unknown' : 'no',
      fullMailbox: reason === 'rejected_email' && random() < 0.1 ? 'yes' : status === 'unknown' ? 'unknown' : 'no',
    };
    record.dns = reason === 'dns_error' ? { type: 'NONE' } : { type: 'MX', record: mx };
    if (reason !== 'dns_error') record.provider = provider;
  }
  record.score = score;
  const toxicity = status === 'deliverable' ? between(random, 0, 2) : between(random, 0, 5);
  record.toxic = toxicity >= 4 ? 'yes' : status === 'unknown' ? 'unknown' : 'no';
  record.toxicity = toxicity;
  if (reason === 'unavailable_smtp' || reason === 'timeout') {
    // Greylisted: results may come later. A fixed base keeps the output deterministic.
    record.retryAfter = new Date(Date.UTC(2026, 0, 15, 12, 0, 0) + between(random, 1, 720) * 60_000).toISOString();
  }
  return record;
}

/**
 * Yields `n` generated records lazily, so a million of them never sit in memory at once.
 * @param n how many (0 … {@link MAX_GENERATED_RECORDS}; larger values are not refused here).
 * @param seed changes every record while keeping the distribution.
 */
export function* generateRecords(n: number, seed = DEFAULT_SEED): Generator<EmailRecord> {
  for (let i = 0; i < n; i++) yield generateRecord(i, seed);
}
