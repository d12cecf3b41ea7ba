import { validateBatchId, type BatchIdProblem } from './batchId';

/** Real batch IDs: 24 hex digits. In a link, a segment like this is the batch, wherever the app puts it. */
const OBJECT_ID = /^[0-9a-f]{24}$/i;
/** Path segments after which a link names its batch (the web app's routes and the API's own paths). */
const BATCH_SEGMENTS = new Set(['batch', 'batches', 'list', 'lists', 'verification', 'verifications']);
/** Query parameters a link may carry the batch in. */
const BATCH_PARAMS = ['batchId', 'batch', 'batch_id', 'id'];

/** Why typed or pasted text names no batch: a bad ID, or a link the ID cannot be read from. */
export type BatchInputProblem = BatchIdProblem | { code: 'badLink' } | { code: 'noIdInLink' };

export type BatchInput =
  { ok: true; id: string; fromLink: boolean } | { ok: false; problem: BatchInputProblem; message: string };

/**
 * What a person typed or pasted where a batch ID goes: the ID itself, or a link to the batch (from
 * Bouncer's web app, an API URL, an e-mail) that contains it. The link is only read here, never
 * requested. The web app's routes are not documented, so a link's batch is, in order: a query
 * parameter named like one, a segment after `batch`/`list`/`verification` (also in a `#/…` route),
 * or the one segment that has the shape of a real batch ID.
 */
export function parseBatchInput(raw: string): BatchInput {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  const direct = validateBatchId(text);
  if (direct.ok || !/^https?:\/\//i.test(text)) return direct.ok ? { ...direct, fromLink: false } : direct;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      problem: { code: 'badLink' },
      message: 'That link is not a valid URL. Paste the whole link, or type the batch ID.',
    };
  }
  const id = idInLink(url);
  if (id === undefined) {
    return {
      ok: false,
      problem: { code: 'noIdInLink' },
      message: "That link holds no batch ID. Copy the link of the batch's page in Bouncer, or type its ID.",
    };
  }
  const checked = validateBatchId(id);
  return checked.ok ? { ok: true, id: checked.id, fromLink: true } : checked;
}

function idInLink(url: URL): string | undefined {
  const route = url.hash.startsWith('#/') ? new URL(url.hash.slice(1), url.origin) : undefined;
  for (const params of [url.searchParams, route?.searchParams]) {
    for (const name of BATCH_PARAMS) {
      const value = params?.get(name);
      if (value) return value;
    }
  }
  const segments = [url.pathname, route?.pathname ?? '']
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .map(decodeSegment);
  const named = segments.findIndex((s, i) => BATCH_SEGMENTS.has(s.toLowerCase()) && i + 1 < segments.length);
  if (named >= 0 && validateBatchId(segments[named + 1]).ok) return segments[named + 1];
  const shaped = segments.filter((s) => OBJECT_ID.test(s));
  return shaped.length === 1 ? shaped[0] : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
