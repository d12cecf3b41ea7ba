import * as assert from 'node:assert/strict';
import { generateRecords } from '../../emulator/generateRecords';
import type { EmailRecord } from '../../src/core/records';
import { StoreBuilder } from '../../src/model/builder';
import type { ResultsStore } from '../../src/model/store';
import { concatStores } from '../../src/model/storeConcat';
import { parseStore } from '../../src/shared/protocol';
import { oddDownload } from './fixtures';

/** The whole store of `records`. */
function whole(records: readonly EmailRecord[]): ResultsStore {
  const builder = new StoreBuilder();
  for (const record of records) builder.add(record);
  return builder.finish();
}

/**
 * One download cut into parts as it streams: the builder gets the rows up to each boundary in turn,
 * and `finish(from)` hands out the rows since the previous one (the first part starts at row 0).
 */
function cut(records: readonly EmailRecord[], boundaries: readonly number[]): ResultsStore[] {
  const builder = new StoreBuilder();
  const parts: ResultsStore[] = [];
  let from = 0;
  for (const end of [...boundaries, records.length]) {
    while (builder.rowCount < end) builder.add(records[builder.rowCount]);
    parts.push(builder.finish(from));
    from = end;
  }
  return parts;
}

describe('model: concatStores', () => {
  const odd = oddDownload(700);
  const oddWhole = whole(odd);

  it('is built on records whose oddities appear only part way through', () => {
    // The premises of the cuts below: each oddity starts after row 300, and the domain codes widen.
    const early = cut(odd, [300])[0];
    assert.equal(early.hasName, false);
    assert.equal(early.num.score.given, undefined);
    assert.equal(early.num.toxicity.given, undefined);
    assert.ok(early.dict['domain.name'].codes instanceof Uint8Array);
    assert.equal(oddWhole.hasName, true);
    assert.ok(oddWhole.num.score.given && oddWhole.num.toxicity.given);
    assert.ok(oddWhole.dict['domain.name'].codes instanceof Uint16Array);
    assert.ok(oddWhole.dict.reason.values.includes('brand_new_reason'));
    assert.ok(oddWhole.dict.status.values.includes('weird_status'));
  });

  // Where the domain dictionary passes 256 values: codes of the parts before it are 8 bits wide.
  const widenRow = odd.findIndex((_, i) => cut(odd.slice(0, i + 1), [])[0].dict['domain.name'].values.length > 256);

  const cuts: Record<string, number[]> = {
    'one part': [],
    'a 0-row first part': [0],
    'a 1-row first part': [1],
    'a 0-row part in the middle and at the end': [300, 300, 700],
    '1-row parts around every oddity': [299, 300, 449, 450, 459, 460, 470, 471, 480, 481],
    'just before and after the codes widen': [widenRow - 1, widenRow, widenRow + 1],
    'every 64 rows': Array.from({ length: 10 }, (_, k) => (k + 1) * 64),
    'a 1-row last part': [699],
  };
  for (const [name, boundaries] of Object.entries(cuts)) {
    it(`joins the parts into the store of the whole download: ${name}`, () => {
      assert.ok(widenRow > 300 && widenRow < 699, `codes widen at row ${widenRow}`);
      const parts = cut(odd, boundaries);
      assert.equal(parts.length, boundaries.length + 1);
      for (const part of parts) assert.ok(parseStore(part), 'each part checks out on its own');
      const joined = concatStores(parts);
      assert.ok(joined, 'the parts join');
      assert.deepStrictEqual(joined, oddWhole);
      assert.ok(parseStore(joined), 'and the join checks out');
    });
  }

  it('joins a 0-row first part, a first row only, and parts of a plain generated download', () => {
    const records = [...generateRecords(2000, 3)];
    const all = whole(records);
    for (const boundaries of [
      [0, 1, 2, 1000],
      [1, 1999],
      [500, 1000, 1500],
    ]) {
      const joined = concatStores(cut(records, boundaries));
      assert.deepStrictEqual(joined, all, boundaries.join(','));
    }
  });

  it('widens the codes of parts cut before the dictionary grew, to the type the whole has', () => {
    const parts = cut(odd, [widenRow - 1, widenRow]);
    assert.ok(parts[0].dict['domain.name'].codes instanceof Uint8Array);
    assert.ok(parts[2].dict['domain.name'].codes instanceof Uint16Array);
    const joined = concatStores(parts);
    assert.ok(joined?.dict['domain.name'].codes instanceof Uint16Array);
    assert.deepStrictEqual(joined, oddWhole);
  });

  it('widens codes to 32 bits when the dictionary passes 65,536 values in a later part', () => {
    const records = [...generateRecords(70_000, 9)].map((record, i) =>
      record.domain ? { ...record, domain: { ...record.domain, name: `w${i}.test` } } : record,
    );
    const all = whole(records);
    assert.ok(all.dict['domain.name'].codes instanceof Uint32Array, 'the premise: 32-bit codes in the whole');
    const parts = cut(records, [1_000, 60_000]);
    assert.ok(parts[1].dict['domain.name'].codes instanceof Uint16Array);
    assert.ok(parts[2].dict['domain.name'].codes instanceof Uint32Array);
    assert.deepStrictEqual(concatStores(parts), all);
  });

  it('refuses parts whose dictionaries do not agree', () => {
    const parts = cut(odd, [300, 500]);
    assert.ok(concatStores(parts));
    // A later part whose codes mean other values than an earlier part's.
    const swapped = structuredClone(parts);
    const values = swapped[2].dict.reason.values;
    [values[1], values[2]] = [values[2], values[1]];
    assert.equal(concatStores(swapped), undefined);
    // An earlier part with a value the later ones do not have at that code.
    const renamed = structuredClone(parts);
    renamed[0].dict['domain.name'].values[1] = 'elsewhere.test';
    assert.equal(concatStores(renamed), undefined);
    // The same in the text sent for a number.
    const given = structuredClone(parts);
    const givenValues = given[1].num.score.given?.values;
    assert.ok(givenValues && givenValues.length > 1);
    givenValues[1] = 'other';
    assert.equal(concatStores(given), undefined);
  });

  it('refuses parts with extra columns', () => {
    const builder = new StoreBuilder();
    builder.setExtraColumns(['note']);
    const records = odd.slice(0, 20);
    records.slice(0, 10).forEach((record) => builder.add(record, ['a']));
    const first = builder.finish(0);
    records.slice(10).forEach((record) => builder.add(record, ['b']));
    assert.equal(concatStores([first, builder.finish(10)]), undefined);
    const plain = cut(records, [10]);
    assert.equal(concatStores([plain[0], builder.finish(10)]), undefined, 'one part with them is enough');
  });

  it('refuses parts that lack a column or hold it as another kind', () => {
    const parts = cut(odd, [300]);
    const missing = structuredClone(parts);
    delete (missing[1].dict as Partial<ResultsStore['dict']>).provider;
    assert.equal(concatStores(missing), undefined);
    const missingFirst = structuredClone(parts);
    delete (missingFirst[0].text as Partial<ResultsStore['text']>).name;
    assert.equal(concatStores(missingFirst), undefined);
    const kind = structuredClone(parts);
    (kind[1].dict as unknown as Record<string, unknown>).provider = kind[1].text.email;
    assert.equal(concatStores(kind), undefined);
    assert.equal(concatStores([]), undefined, 'nothing to join');
  });
});
