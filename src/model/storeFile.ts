import type { Column, Codes, DictColumn, ResultsStore } from './store';

/**
 * The columnar store as one binary file, so a table reopened from the cache shows its whole batch
 * without parsing the JSON again: a 4-byte magic, a little-endian u32 header length, a JSON header
 * (row count, dictionaries, and where each typed array sits, plus an `identity` its writer chooses),
 * then each typed array's bytes at an offset aligned for its element size.
 */
const MAGIC = [0x42, 0x52, 0x53, 0x01]; // "BRS" + format version 1

type ArrayName = 'Uint8Array' | 'Uint16Array' | 'Uint32Array' | 'Float64Array';
const ARRAYS: Record<ArrayName, { new (buffer: ArrayBuffer): Codes | Float64Array; BYTES_PER_ELEMENT: number }> = {
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Float64Array,
};

interface ArrayRef {
  type: ArrayName;
  offset: number;
  length: number;
}

interface Header {
  identity: unknown;
  rowCount: number;
  hasName: boolean;
  /** Each column as the store has it, with every typed array replaced by its `ArrayRef`. */
  columns: Record<'text' | 'dict' | 'num', Record<string, unknown>>;
}

type Typed = Codes | Float64Array;

function isTyped(value: unknown): value is Typed {
  return (
    value instanceof Uint8Array ||
    value instanceof Uint16Array ||
    value instanceof Uint32Array ||
    value instanceof Float64Array
  );
}

/** Encodes `store` with `identity` (what the file must match to be used; JSON-safe). */
export function encodeStore(store: ResultsStore, identity: unknown): Uint8Array[] {
  const arrays: Typed[] = [];
  let offset = 0;
  const refer = (array: Typed): ArrayRef => {
    offset = Math.ceil(offset / 8) * 8;
    const ref: ArrayRef = { type: array.constructor.name as ArrayName, offset, length: array.length };
    offset += array.byteLength;
    arrays.push(array);
    return ref;
  };
  const describe = (column: Column | DictColumn): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(column)) {
      if (isTyped(value)) out[key] = refer(value);
      else if (key === 'given' && value) out[key] = describe(value as DictColumn);
      else out[key] = value;
    }
    return out;
  };
  const columns = { text: {}, dict: {}, num: {} } as Header['columns'];
  for (const kind of ['text', 'dict', 'num'] as const) {
    for (const [id, column] of Object.entries(store[kind] as Record<string, Column>)) {
      columns[kind][id] = describe(column);
    }
  }
  const header: Header = { identity, rowCount: store.rowCount, hasName: store.hasName, columns };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // The body starts 8-aligned after magic, length and header, so each array can be read in place.
  const prefix = 8 + headerBytes.length;
  const pad = Math.ceil(prefix / 8) * 8 - prefix;
  const head = new Uint8Array(prefix + pad);
  head.set(MAGIC, 0);
  new DataView(head.buffer).setUint32(4, headerBytes.length, true);
  head.set(headerBytes, 8);
  const parts: Uint8Array[] = [head];
  let written = 0;
  for (const array of arrays) {
    const aligned = Math.ceil(written / 8) * 8;
    if (aligned > written) parts.push(new Uint8Array(aligned - written));
    parts.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    written = aligned + array.byteLength;
  }
  return parts;
}

function readHeader(bytes: Uint8Array): { header: Header; headerLength: number } | undefined {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || typeof header.columns !== 'object') return undefined;
  return { header, headerLength };
}

/**
 * The identity and row count a file written by {@link encodeStore} declares, read from its header
 * alone; undefined for anything that is not such a file. Nothing past the header is checked.
 */
export function readStoreHeader(bytes: Uint8Array): { identity: unknown; rowCount: unknown } | undefined {
  const header = readHeader(bytes)?.header;
  return header && { identity: header.identity, rowCount: header.rowCount };
}

/**
 * Decodes a file written by {@link encodeStore}. Returns the identity it was written with and the
 * store, each typed array copied into a buffer of its own (so it can be posted alone), or with `copy`
 * false a view into `bytes` where its alignment allows (for a store that is never posted on);
 * undefined for anything that is not such a file. The store's contents are not checked here: the
 * caller checks it as it checks any store it did not build (`parseStore`).
 */
export function decodeStore(
  bytes: Uint8Array,
  { copy = true }: { copy?: boolean } = {},
): { identity: unknown; store: ResultsStore } | undefined {
  const { header, headerLength } = readHeader(bytes) ?? {};
  if (!header || headerLength === undefined) return undefined;
  const prefix = 8 + headerLength;
  const body = Math.ceil(prefix / 8) * 8;
  const read = (ref: ArrayRef): Typed | undefined => {
    const Type = ARRAYS[ref?.type];
    if (!Type || !Number.isInteger(ref.offset) || !Number.isInteger(ref.length) || ref.offset < 0 || ref.length < 0) {
      return undefined;
    }
    const start = body + ref.offset;
    const end = start + ref.length * Type.BYTES_PER_ELEMENT;
    if (end > bytes.length) return undefined;
    const at = bytes.byteOffset + start;
    if (!copy && at % Type.BYTES_PER_ELEMENT === 0) {
      return new (Type as unknown as new (buffer: ArrayBufferLike, offset: number, length: number) => Typed)(
        bytes.buffer,
        at,
        ref.length,
      );
    }
    // A copy into a buffer of its own (`Buffer#slice` would share the file's whole buffer).
    return new Type(Uint8Array.prototype.slice.call(bytes, start, end).buffer);
  };
  const restore = (described: Record<string, unknown>): Record<string, unknown> | undefined => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(described)) {
      if (value && typeof value === 'object' && 'type' in value && 'offset' in value) {
        const array = read(value as ArrayRef);
        if (!array) return undefined;
        out[key] = array;
      } else if (key === 'given' && value) {
        const given = restore(value as Record<string, unknown>);
        if (!given) return undefined;
        out[key] = given;
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  const store: Record<string, unknown> = { rowCount: header.rowCount, hasName: header.hasName };
  for (const kind of ['text', 'dict', 'num'] as const) {
    const columns: Record<string, unknown> = {};
    for (const [id, described] of Object.entries(header.columns[kind] ?? {})) {
      const column = restore(described as Record<string, unknown>);
      if (!column) return undefined;
      columns[id] = column;
    }
    store[kind] = columns;
  }
  return { identity: header.identity, store: store as unknown as ResultsStore };
}
