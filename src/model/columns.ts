import { FLAT_COLUMNS, type FlatColumn } from '../core/records';

/**
 * How a flat column is stored:
 * - `text`: free text, one UTF-8 buffer plus offsets (email, name);
 * - `dict`: dictionary codes in the narrowest typed array that fits, code 0 meaning "missing";
 * - `num`: a Float64Array with NaN meaning "missing".
 */
export type ColumnKind = 'text' | 'dict' | 'num';

export interface ColumnDef {
  id: FlatColumn;
  /** Header label shown to the user. */
  label: string;
  kind: ColumnKind;
  /** Default width in CSS pixels. */
  width: number;
}

/** The yes/no/unknown columns that get a flag filter. */
export const FLAG_COLUMNS = [
  'domain.acceptAll',
  'domain.disposable',
  'domain.free',
  'account.role',
  'account.disabled',
  'account.fullMailbox',
] as const;
export type FlagColumn = (typeof FLAG_COLUMNS)[number];

const LABELS: Record<FlatColumn, string> = {
  email: 'Email',
  status: 'Status',
  reason: 'Reason',
  name: 'Name',
  'domain.name': 'Domain',
  'domain.acceptAll': 'Accept-all',
  'domain.disposable': 'Disposable',
  'domain.free': 'Free',
  'account.role': 'Role',
  'account.disabled': 'Disabled',
  'account.fullMailbox': 'Full mailbox',
  'dns.type': 'DNS type',
  'dns.record': 'DNS record',
  provider: 'Provider',
  score: 'Score',
  toxic: 'Toxic',
  toxicity: 'Toxicity',
  retryAfter: 'Retry after',
};

function kindOf(id: FlatColumn): ColumnKind {
  if (id === 'email' || id === 'name') return 'text';
  if (id === 'score' || id === 'toxicity') return 'num';
  return 'dict';
}

function widthOf(id: FlatColumn): number {
  switch (id) {
    case 'email':
      return 260;
    case 'name':
    case 'domain.name':
    case 'dns.record':
    case 'provider':
      return 170;
    case 'reason':
      return 140;
    case 'status':
      return 135;
    case 'retryAfter':
      return 130;
    default:
      return 90;
  }
}

/** Every column the store holds, in the order CSV output uses, `name` last. */
export const ALL_COLUMNS: readonly FlatColumn[] = [...FLAT_COLUMNS, 'name'];

/** Column definitions by id. */
export const COLUMN_DEFS: Readonly<Record<FlatColumn, ColumnDef>> = Object.fromEntries(
  ALL_COLUMNS.map((id) => [id, { id, label: LABELS[id], kind: kindOf(id), width: widthOf(id) }]),
) as Record<FlatColumn, ColumnDef>;

/** Type guard for column ids arriving from persisted state or messages. */
export function isColumnId(value: unknown): value is FlatColumn {
  return typeof value === 'string' && (ALL_COLUMNS as readonly string[]).includes(value);
}

/** Columns shown by default: everything, with `name` only when the batch has names. */
export function defaultColumns(hasName: boolean): FlatColumn[] {
  return hasName ? ['email', 'name', ...FLAT_COLUMNS.slice(1)] : [...FLAT_COLUMNS];
}
