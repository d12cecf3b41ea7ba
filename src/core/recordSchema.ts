import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { REASONS, STATUSES, YES_NO_UNKNOWN as YES_NO_UNKNOWN_VALUES } from './records';

const YES_NO_UNKNOWN = { enum: [...YES_NO_UNKNOWN_VALUES] };

/**
 * The EmailRecord schema exactly as the download endpoint's OpenAPI document states it
 * (shared spec `bouncer-batch-download.md`), including `additionalProperties: false` and the enums.
 * Used to keep the emulator honest. Note the spec lists no `name` property although the API sends
 * one when a name was given at batch creation, so a record with `name` fails this schema.
 */
export const EMAIL_RECORD_SCHEMA_STRICT: object = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'status', 'reason'],
  properties: {
    email: { type: 'string' },
    status: { enum: [...STATUSES] },
    reason: { enum: [...REASONS] },
    domain: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'acceptAll', 'disposable', 'free'],
      properties: {
        name: { type: 'string' },
        acceptAll: YES_NO_UNKNOWN,
        disposable: YES_NO_UNKNOWN,
        free: YES_NO_UNKNOWN,
      },
    },
    account: {
      type: 'object',
      additionalProperties: false,
      required: ['role', 'disabled', 'fullMailbox'],
      properties: {
        role: YES_NO_UNKNOWN,
        disabled: YES_NO_UNKNOWN,
        fullMailbox: YES_NO_UNKNOWN,
      },
    },
    dns: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { type: 'string' },
        record: { type: 'string' },
      },
    },
    provider: { type: 'string' },
    score: { type: 'integer', minimum: 0, maximum: 100 },
    toxic: { type: 'string' },
    toxicity: { type: 'integer', minimum: 0, maximum: 5 },
    retryAfter: { type: 'string' },
  },
};

type SchemaNode = { [key: string]: unknown };

/**
 * Derives the schema the client enforces from the strict one, so the two cannot drift:
 * extra fields are tolerated, an enum becomes "any string" (the server may add values; they are
 * shown as they are), numeric ranges are dropped (the docs disagree on toxicity's range), and the
 * undocumented-but-real `name` field must be a string when present. Required fields and types stay.
 */
function lenientFrom(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' || key === 'minimum' || key === 'maximum') continue;
    if (key === 'enum') {
      out.type = 'string';
    } else if (key === 'properties') {
      const properties: SchemaNode = {};
      for (const [name, child] of Object.entries(value as SchemaNode)) properties[name] = lenientFrom(child as SchemaNode);
      out.properties = properties;
    } else {
      out[key] = value;
    }
  }
  return out;
}

const lenientSchema = lenientFrom(EMAIL_RECORD_SCHEMA_STRICT as SchemaNode);
(lenientSchema.properties as SchemaNode).name = { type: 'string' };

/** The lenient schema `checkRecord` applies (exported for tests and documentation). */
export const EMAIL_RECORD_SCHEMA_LENIENT: object = lenientSchema;

let lenientValidator: ValidateFunction | undefined;

/**
 * Checks one downloaded record leniently: required fields and value types are enforced; unknown
 * extra fields and unknown enum values are accepted. Returns a one-line description of the first
 * problem, or `undefined` when the record is acceptable.
 */
export function checkRecord(value: unknown): string | undefined {
  // Compiled on first use: ajv code generation costs a few milliseconds at activation otherwise.
  lenientValidator ??= new Ajv({ allErrors: false }).compile(EMAIL_RECORD_SCHEMA_LENIENT);
  if (lenientValidator(value)) return undefined;
  return describeErrors(lenientValidator.errors);
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
