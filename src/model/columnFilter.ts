import { columnOf, type Codes, type ColumnId, type ResultsStore, type TextColumn } from './store';
import { matchesFolded } from './textMatch';

/**
 * A text filter on one column: rows whose cell contains `text` (case-insensitive), or equals the
 * rest of it when it starts with `=`; `exclude` keeps the other rows instead.
 */
export interface ColumnFilter {
  column: ColumnId;
  text: string;
  exclude?: boolean;
}

/** How one column filter is tested per row: `allowed[codes[row]]`, or `allowed[row]` without codes. */
export interface ColumnTest {
  codes: Codes | undefined;
  allowed: Uint8Array;
}

const encoder = new TextEncoder();

/** Parses the filter text: `=x` asks for equality with x, anything else for a substring. */
export function columnFilterQuery(text: string): { equals: boolean; needle: string } {
  const equals = text.startsWith('=');
  return { equals, needle: (equals ? text.slice(1) : text).toLowerCase() };
}

/** True when a filter keeps every row (an empty "contains"). */
export function isNoOpColumnFilter(filter: ColumnFilter): boolean {
  return filter.text === '';
}

/**
 * Turns column filters into per-row tests, fast on a million rows: dictionary and number-with-few-values
 * columns are decided once per distinct value, free text by scanning its UTF-8 bytes without decoding.
 * The last tests are kept, so re-sorting or another filter change does not rescan a column.
 */
export class ColumnFilterIndex {
  private readonly cache = new Map<string, ColumnTest>();

  constructor(private readonly store: ResultsStore) {}

  tests(filters: readonly ColumnFilter[] | undefined): ColumnTest[] {
    if (!filters || filters.length === 0) return [];
    const tests: ColumnTest[] = [];
    const used = new Set<string>();
    for (const filter of filters) {
      if (isNoOpColumnFilter(filter)) continue;
      const key = `${filter.column}\n${filter.exclude ? 1 : 0}\n${filter.text}`;
      used.add(key);
      let test = this.cache.get(key);
      if (!test) {
        test = this.compute(filter);
        this.cache.set(key, test);
      }
      tests.push(test);
    }
    for (const key of [...this.cache.keys()]) if (!used.has(key)) this.cache.delete(key);
    return tests;
  }

  private compute(filter: ColumnFilter): ColumnTest {
    const { equals, needle } = columnFilterQuery(filter.text);
    const keep = filter.exclude ? 0 : 1;
    const matches = (value: string) => {
      const lower = value.toLowerCase();
      return equals ? lower === needle : lower.includes(needle);
    };
    const column = columnOf(this.store, filter.column);
    if (column.kind === 'dict') {
      const allowed = new Uint8Array(column.values.length);
      for (let code = 0; code < allowed.length; code++) allowed[code] = matches(column.values[code]) ? keep : 1 - keep;
      return { codes: column.codes, allowed };
    }
    const n = this.store.rowCount;
    const allowed = new Uint8Array(n);
    if (column.kind === 'text') {
      markText(column, encoder.encode(needle), equals, allowed);
      if (keep === 0) for (let row = 0; row < n; row++) allowed[row] ^= 1;
      return { codes: undefined, allowed };
    }
    // Numbers: a score has about a hundred distinct values, so each is turned into text and tested once
    // (as `cellText` shows it: the server's own text where it sent one, '' when missing).
    const given = column.given;
    const givenHit = given?.values.map((value) => (matches(value) ? keep : 1 - keep));
    const seen = new Map<number, number>();
    const { values } = column;
    for (let row = 0; row < n; row++) {
      const code = given ? given.codes[row] : 0;
      if (code !== 0) {
        allowed[row] = (givenHit as number[])[code];
        continue;
      }
      const value = values[row];
      let hit = seen.get(value);
      if (hit === undefined) {
        hit = matches(Number.isNaN(value) ? '' : String(value)) ? keep : 1 - keep;
        seen.set(value, hit);
      }
      allowed[row] = hit;
    }
    return { codes: undefined, allowed };
  }
}

/** Sets `mask[row]` to 1 where the row's text contains (or equals) the lowercase needle, ASCII case folded. */
function markText(column: TextColumn, needle: Uint8Array, equals: boolean, mask: Uint8Array): void {
  const { bytes, offsets } = column;
  for (let row = 0; row < mask.length; row++) {
    if (matchesFolded(bytes, offsets[row], offsets[row + 1], needle, equals)) mask[row] = 1;
  }
}
