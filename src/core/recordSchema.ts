import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { FoundValue } from './errors';
import { RECORD_COLUMNS, type RecordColumn } from './recordColumns';

type SchemaNode = { [key: string]: unknown };

/**
 * The EmailRecord schema from the column table: each column's leaf schema at its dotted path, groups
 * (`domain`) as objects, `required` from the columns the spec always has. `strict` is the spec exactly
 * as written, closed with `additionalProperties: false`; otherwise it is what the client expects (see
 * {@link EMAIL_RECORD_SCHEMA_EXPECTED}): open, with the undocumented fields after the documented ones.
 */
function schemaFromColumns(strict: boolean): SchemaNode {
  const columns: readonly RecordColumn[] = RECORD_COLUMNS;
  const documented = columns.filter((column) => !column.undocumented);
  const chosen = strict ? documented : [...documented, ...columns.filter((column) => column.undocumented)];
  const objectNode = (): SchemaNode => ({
    type: 'object',
    ...(strict ? { additionalProperties: false } : {}),
    required: [] as string[],
    properties: {} as SchemaNode,
  });
  const root = objectNode();
  for (const column of chosen) {
    const path = column.id.split('.');
    let node = root;
    for (const group of path.slice(0, -1)) {
      const properties = node.properties as SchemaNode;
      properties[group] ??= objectNode();
      node = properties[group] as SchemaNode;
    }
    const field = path[path.length - 1];
    (node.properties as SchemaNode)[field] = strict ? column.schema : (column.expected ?? column.schema);
    if (column.required) (node.required as string[]).push(field);
  }
  return root;
}

/**
 * The EmailRecord schema exactly as the download endpoint's OpenAPI document states it
 * (shared spec `bouncer-batch-download.md`), including `additionalProperties: false` and the enums.
 * Used to keep the emulator honest. Note the spec lists no `name` property although the API sends
 * one when a name was given at batch creation, so a record with `name` fails this schema.
 */
export const EMAIL_RECORD_SCHEMA_STRICT: object = schemaFromColumns(true);

/**
 * What the client expects of a record beyond its structure, from the same table so the two cannot
 * drift: the spec as written, plus the undocumented-but-real `name` string, without the upper bound of
 * `toxicity` (one page of the docs says 0–5, another 0–100), and open to fields the spec does not
 * list: an API that grows a field must not make every download warn. A record that differs is still
 * kept and shown as sent; the difference is only counted and reported (see {@link oddFields}).
 * Exported for tests and documentation.
 */
export const EMAIL_RECORD_SCHEMA_EXPECTED: object = schemaFromColumns(false);

/** Why a record is not usable at all: it is not an object (no `field`), or its `field` is not a string. */
export interface StructureProblem {
  field?: 'email' | 'status';
  found: FoundValue;
}

/**
 * Checks what a record must be for the extension to use it at all: an object with a string `email`
 * and a string `status` (every view, count and filter keys on them). Returns what is wrong as values,
 * for the host to word, or `undefined` when the structure holds. Everything else is judged by {@link oddFields}.
 */
export function structureProblem(value: unknown): StructureProblem | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { found: foundValue(value) };
  const record = value as { email?: unknown; status?: unknown };
  if (typeof record.email !== 'string') return { field: 'email', found: foundValue(record.email) };
  if (typeof record.status !== 'string') return { field: 'status', found: foundValue(record.status) };
  return undefined;
}

/** {@link structureProblem} as a short English description, for the log. */
export function checkStructure(value: unknown): string | undefined {
  const problem = structureProblem(value);
  return problem === undefined ? undefined : describeStructureProblem(problem);
}

/** {@link StructureProblem} in the English of the log and of `BouncerError.message`. */
export function describeStructureProblem({ field, found }: StructureProblem): string {
  const what = englishFound(found);
  return field === undefined ? `it is ${what}, not an object` : `its "${field}" is ${what}, not a string`;
}

/** One field of a record that is not as documented: `field` is a dotted path such as `domain.free`. */
export interface OddField {
  field: string;
  /** What is wrong, with the value found (cut short), never the whole record. */
  problem: string;
}

/** How many records of a download differ from the spec, and where the first of them do. */
export interface OddRecords {
  /** Records with at least one odd field. */
  records: number;
  /** The first {@link MAX_ODD_EXAMPLES} odd fields, in file order, with their record's index. */
  examples: (OddField & { record: number })[];
}

/** Odd fields kept as examples: enough to see the pattern, short enough for one log line. */
export const MAX_ODD_EXAMPLES = 5;

/** One log line: how many records differ, then the examples (record index, field, what was found). */
export function describeOddRecords(odd: OddRecords): string {
  const examples = odd.examples.map((e) => `record ${e.record}: ${e.field} ${e.problem}`).join('; ');
  return (
    `${odd.records} ${odd.records === 1 ? 'record differs' : 'records differ'} from the documented format ` +
    `and ${odd.records === 1 ? 'is' : 'are'} kept as sent. First differences: ${examples}.`
  );
}

let expectedValidator: ValidateFunction | undefined;

/**
 * Lists the fields of a structurally sound record that differ from {@link EMAIL_RECORD_SCHEMA_EXPECTED}:
 * a value of another type (`"score": "100"`, `"provider": null`), a value outside the documented enum
 * or range, a missing documented field. Fields the spec does not list are not odd. Empty for a record as documented.
 */
export function oddFields(record: object): OddField[] {
  // Compiled on first use: ajv code generation costs a few milliseconds at activation otherwise.
  expectedValidator ??= new Ajv({ allErrors: true, strictTypes: false }).compile(EMAIL_RECORD_SCHEMA_EXPECTED);
  if (expectedValidator(record)) return [];
  const found = new Map<string, string>();
  for (const error of expectedValidator.errors ?? []) {
    const { field, difference } = fieldDifference(error, record);
    // One line per field: a string score fails both `type` and the range, which says nothing more.
    if (!found.has(field)) found.set(field, describeDifference(difference));
  }
  return [...found].map(([field, problem]) => ({ field, problem }));
}

/**
 * How a field differs from {@link EMAIL_RECORD_SCHEMA_EXPECTED}, as values: the validator's keyword
 * and parameters, never its own English, so the difference can be worded in any language.
 */
export type FieldDifference =
  | { code: 'missing' }
  | { code: 'wrongType'; expected: string; found: FoundValue }
  | { code: 'notDocumented'; found: FoundValue }
  | { code: 'outOfRange'; comparison: string; limit: number; found: FoundValue }
  /** A keyword the expected schema does not use today (it names only the ones above). */
  | { code: 'other'; keyword: string; found: FoundValue };

/** The dotted path of the field an ajv error is about, and how it differs; `record` is what was validated. */
export function fieldDifference(error: ErrorObject, record: object): { field: string; difference: FieldDifference } {
  const path = pointerSegments(error.instancePath);
  const params = error.params as { missingProperty?: string; type?: unknown; comparison?: string; limit?: number };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    return { field: [...path, params.missingProperty].join('.'), difference: { code: 'missing' } };
  }
  const found = foundValue(valueAt(record, path));
  const field = path.join('.');
  switch (error.keyword) {
    case 'type':
      return { field, difference: { code: 'wrongType', expected: String(params.type), found } };
    case 'enum':
      return { field, difference: { code: 'notDocumented', found } };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      if (params.comparison !== undefined && params.limit !== undefined) {
        return { field, difference: { code: 'outOfRange', comparison: params.comparison, limit: params.limit, found } };
      }
      break;
  }
  return { field, difference: { code: 'other', keyword: error.keyword, found } };
}

/** A {@link FieldDifference} in the English of the log: "must be integer: found \"100\"". */
export function describeDifference(difference: FieldDifference): string {
  if (difference.code === 'missing') return 'is missing';
  const found = `found ${englishFound(difference.found)}`;
  switch (difference.code) {
    case 'wrongType':
      return `must be ${difference.expected}: ${found}`;
    case 'notDocumented':
      return `is not a documented value: ${found}`;
    case 'outOfRange':
      return `must be ${difference.comparison} ${difference.limit}: ${found}`;
    case 'other':
      return `is not as documented: ${found}`;
  }
}

/** Compiles the strict spec schema (tests, emulator checks). */
export function compileStrictValidator(): ValidateFunction {
  return new Ajv({ allErrors: true, strictTypes: false }).compile(EMAIL_RECORD_SCHEMA_STRICT);
}

/** Turns ajv errors into `"/domain/free must be string"`-style text. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'does not match the EmailRecord schema';
  return errors
    .map((error) => {
      const where = error.instancePath === '' ? 'record' : error.instancePath;
      const extra =
        error.keyword === 'additionalProperties'
          ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
          : error.keyword === 'enum'
            ? ` (${(error.params as { allowedValues?: unknown[] }).allowedValues?.join(', ')})`
            : '';
      return `${where} ${error.message ?? 'is invalid'}${extra}`;
    })
    .join('; ');
}

/** Longest piece of a found string quoted in a message: enough to recognise it, never a wall of text. */
const MAX_QUOTED_CHARS = 40;

/** A value as a message shows it: strings quoted and cut short, containers only named. */
export function describeValue(value: unknown): string {
  return englishFound(foundValue(value));
}

/** A value as a message names it, as values the host can word: see {@link describeValue}. */
export function foundValue(value: unknown): FoundValue {
  if (value === undefined) return { kind: 'missing' };
  if (value === null) return { kind: 'null' };
  if (Array.isArray(value)) return { kind: 'array' };
  if (typeof value === 'object') return { kind: 'object' };
  if (typeof value === 'string' && value.length > MAX_QUOTED_CHARS) {
    return { kind: 'value', text: JSON.stringify(value.slice(0, MAX_QUOTED_CHARS)), fullLength: value.length };
  }
  return { kind: 'value', text: typeof value === 'string' ? JSON.stringify(value) : String(value) };
}

function englishFound(found: FoundValue): string {
  switch (found.kind) {
    case 'missing':
      return 'missing';
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'value':
      return found.fullLength === undefined ? found.text : `${found.text}… (${found.fullLength} characters)`;
  }
}

/** The segments of an ajv instance path (a JSON pointer). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: object, path: readonly string[]): unknown {
  let value: unknown = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
