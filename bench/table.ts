/**
 * `npm run bench:table`: the results table's figures, measured, never judged. For each size it
 * writes a generated batch as compact JSON (as the API sends it), then measures
 *  - host: streaming the cache file into the columnar store (readRecords + StoreBuilder), and heap growth;
 *  - webview, in a real headless Chromium running dist/webview.js under the real CSP: first rows after
 *    the data message, sorts, a status-chip click, search keystrokes, a column filter added and
 *    removed, a scroll fling (longest frame), DOM rows and JS heap;
 * beside baselines from the same run: JSON.parse of the same bytes, Array.prototype.sort of the
 * emails, in Node and in the page, and in the page a plain filter of the emails by substring. Each figure is the median of 3 runs with min and max.
 * Flags: --quick (10k and 100k), --sizes 100000,1000000, --runs N.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { generateRecords } from '../emulator/generateRecords';
import { readRecords } from '../src/core/readRecords';
import { buildStore } from '../src/model/builder';
import {
  buildBundles,
  launchChromium,
  openTable,
  repoRoot,
  startPageServer,
  type PageDocument,
  type PageElement,
} from '../test/ui/tablePage';
import type { Harness } from '../test/ui/pageShim';

// Module-scoped: the `document` seen by functions that run inside the page.
declare const document: PageDocument;

interface Stat {
  median: number;
  min: number;
  max: number;
}

interface Row {
  metric: string;
  unit: string;
  stat?: Stat;
  /** Median JS time inside the event handler, for interactions. */
  handler?: number;
  value?: string;
  target?: string;
  baseline?: string;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const sizesArg = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : undefined;
const SIZES = sizesArg ? sizesArg.split(',').map(Number) : quick ? [10_000, 100_000] : [100_000, 1_000_000];
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const SEED = 11;

function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

function fmt(n: number, unit: string): string {
  if (unit === 'ms') return n >= 100 ? n.toFixed(0) : n.toFixed(1);
  if (unit === 'MB') return n.toFixed(1);
  return String(Math.round(n));
}

function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function writeCache(n: number, file: string): Promise<number> {
  const out = fs.createWriteStream(file);
  let chunk = '[';
  let first = true;
  for (const record of generateRecords(n, SEED)) {
    chunk += (first ? '' : ',') + JSON.stringify(record);
    first = false;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(`${chunk}]`);
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  return fs.statSync(file).size;
}

/** The host's PARTIAL_ROWS (resultsPanel.ts): rows posted ahead of the rest. */
const PARTIAL_ROWS = 20_000;

/** Host side: cache file → columnar store, timed (whole and opening rows), with heap + array-buffer growth. */
async function hostIngest(file: string): Promise<{ ms: number; partialMs: number; growthMB: number; rows: number }> {
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  let partialMs = NaN;
  const store = await buildStore(readRecords(file), {
    partialAfter: PARTIAL_ROWS,
    onPartial: () => (partialMs = performance.now() - started),
  });
  const ms = performance.now() - started;
  if (Number.isNaN(partialMs)) partialMs = ms;
  gc();
  const after = process.memoryUsage();
  const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  return { ms, partialMs, growthMB: mb(growth), rows: store.rowCount };
}

/** Node baseline: the naive way — parse the whole file, then sort the emails. */
function nodeBaseline(file: string): { parseMs: number; sortMs: number; growthMB: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  let started = performance.now();
  const records = JSON.parse(fs.readFileSync(file, 'utf8')) as { email: string }[];
  const parseMs = performance.now() - started;
  const growthMB = mb(process.memoryUsage().heapUsed - before);
  const emails = records.map((r) => r.email);
  started = performance.now();
  emails.sort();
  return { parseMs, sortMs: performance.now() - started, growthMB };
}

/**
 * Times a synchronous action in the page: `handler` is the JS work of the event handler (model +
 * DOM update), `paint` runs until the frame after it has been produced (the repaint).
 */
async function timeAction(page: Page, action: string, arg: string): Promise<{ handler: number; paint: number }> {
  return page.evaluate(
    async ({ action, arg }) => {
      const settle = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      await settle();
      const started = performance.now();
      if (action === 'click') {
        (document.querySelector(arg) as unknown as { click(): void }).click();
      } else if (action === 'shiftClick') {
        const target = document.querySelector(arg) as unknown as { dispatchEvent(e: unknown): void };
        target.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true }));
      } else if (action === 'type') {
        const input = document.querySelector('input.search') as unknown as {
          value: string;
          dispatchEvent(e: unknown): void;
        };
        input.value = arg;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      } else if (action === 'columnFilter') {
        // The form in the Filters popover, as a person fills it: column, text, Enter.
        const [column, text] = arg.split('\t');
        (document.querySelector('select.column-filter-column') as unknown as { value: string }).value = column;
        const input = document.querySelector('input.column-filter-text') as unknown as {
          value: string;
          dispatchEvent(e: unknown): void;
        };
        input.value = text;
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      }
      const handler = performance.now() - started;
      await settle();
      return { handler, paint: performance.now() - started };
    },
    { action, arg },
  );
}

declare function requestAnimationFrame(callback: (now: number) => void): number;
declare class MouseEvent {
  constructor(type: string, init: { bubbles: boolean; shiftKey: boolean });
}
/** The browser's PerformanceObserver (Node's typing lacks the `longtask` entry type). */
declare class PerformanceObserver {
  constructor(callback: (list: { getEntries(): unknown[] }) => void);
  observe(options: { type: string }): void;
  disconnect(): void;
}
declare class Event {
  constructor(type: string, init: { bubbles: boolean });
}
declare class KeyboardEvent {
  constructor(type: string, init: { key: string; bubbles: boolean });
}

/**
 * Scrolls from top to bottom in 120 frames and back; the longest frame is the figure. With
 * `scroll` false the same frames pass without scrolling: the machine's own noise, as a baseline.
 */
async function fling(page: Page, scroll = true): Promise<{ longest: number; p95: number; longTasks: number }> {
  return page.evaluate(async (scroll) => {
    const grid = document.querySelector('.grid') as PageElement & { scrollHeight: number; clientHeight: number };
    const max = grid.scrollHeight - grid.clientHeight;
    const steps = 120;
    const frames: number[] = [];
    // Main-thread tasks over 50 ms (script, style, layout, GC) during the fling; frames can also be
    // late for reasons outside the page (CPU starvation, raster), which these do not count.
    let longTasks = 0;
    const observer = new PerformanceObserver((list) => (longTasks += list.getEntries().length));
    observer.observe({ type: 'longtask' });
    await new Promise<void>((resolve) => {
      let i = 0;
      let last = -1;
      const tick = (now: number) => {
        if (last >= 0) frames.push(now - last);
        last = now;
        if (i > 2 * steps) {
          resolve();
          return;
        }
        const phase = i <= steps ? i / steps : 2 - i / steps;
        if (scroll) grid.scrollTop = phase * max;
        i++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    const sorted = [...frames].sort((a, b) => a - b);
    return { longest: sorted[sorted.length - 1], p95: sorted[Math.floor(sorted.length * 0.95)], longTasks };
  }, scroll);
}

/** JS heap plus ArrayBuffer backing stores (where the columns live), after a full GC. */
async function heapMB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  await cdp.detach();
  return mb(usage.usedSize + (usage.backingStorageSize ?? 0));
}

async function harness(
  page: Page,
): Promise<Pick<Harness, 'renderedAt' | 'dataPostedAt' | 'completeAt' | 'completePostedAt'>> {
  return page.evaluate(() => {
    const h = (globalThis as unknown as { __harness: Harness }).__harness;
    return {
      renderedAt: h.renderedAt,
      dataPostedAt: h.dataPostedAt,
      completeAt: h.completeAt,
      completePostedAt: h.completePostedAt,
    };
  });
}

/** Page baseline: JSON.parse of the same records' JSON text and a sort of their emails, in Chromium. */
async function pageBaseline(
  browser: Browser,
  url: string,
  shim: string,
  n: number,
): Promise<{ parseMs: number; sortMs: number; filterMs: number; heapMB: number }> {
  const page = await openTable(browser, url, shim, { rows: 0, seed: SEED, extra: [] });
  try {
    const before = await heapMB(page);
    await page.evaluate(
      ({ n, seed }) => {
        const g = globalThis as unknown as { __baselineText: string; __benchJson(n: number, seed: number): string };
        g.__baselineText = g.__benchJson(n, seed);
      },
      { n, seed: SEED },
    );
    const result = await page.evaluate(() => {
      const g = globalThis as unknown as { __baselineText: string; __baselineRecords: unknown };
      let started = performance.now();
      const records = JSON.parse(g.__baselineText) as { email: string }[];
      const parseMs = performance.now() - started;
      g.__baselineRecords = records;
      const emails = records.map((r) => r.email);
      started = performance.now();
      emails.sort();
      const sortMs = performance.now() - started;
      started = performance.now();
      const kept = emails.filter((email) => email.toLowerCase().includes('smith')).length;
      const filterMs = performance.now() - started;
      return { parseMs, sortMs, filterMs, kept };
    });
    await page.evaluate(() => ((globalThis as unknown as { __baselineText: string }).__baselineText = ''));
    const after = await heapMB(page);
    return { ...result, heapMB: after - before };
  } finally {
    await page.close();
  }
}

async function benchSize(browser: Browser, url: string, shim: string, n: number): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-bench-table-'));
  const file = path.join(dir, 'results.json');
  try {
    const bytes = await writeCache(n, file);
    const big = n >= 1_000_000;
    const runs = (k: number) => Array.from({ length: k }, (_, i) => i);

    const ingest: { ms: number; partialMs: number; growthMB: number }[] = [];
    for (const _ of runs(RUNS)) ingest.push(await hostIngest(file));
    const nodeBase: ReturnType<typeof nodeBaseline>[] = [];
    for (const _ of runs(RUNS)) nodeBase.push(nodeBaseline(file));

    const first: number[] = [];
    const whole: number[] = [];
    type Timing = { handler: number; paint: number };
    const sortEmail: Timing[] = [];
    const sortEmailAgain: Timing[] = [];
    const sortStatus: Timing[] = [];
    const sortScoreThenEmail: Timing[] = [];
    const filterClick: Timing[] = [];
    const filterClear: Timing[] = [];
    const searchFirst: Timing[] = [];
    const searchWorst: Timing[] = [];
    const columnFilter: Timing[] = [];
    const columnFilterRemove: Timing[] = [];
    const flings: { longest: number; p95: number; longTasks: number }[] = [];
    const idles: { longest: number; p95: number; longTasks: number }[] = [];
    const domRows: number[] = [];
    const heap: number[] = [];
    for (const _ of runs(RUNS)) {
      // A fresh page per run: no saved sort, no ranks computed yet, so every figure starts cold.
      const page = await openTable(browser, url, shim, { rows: n, seed: SEED, extra: [], partialAfter: PARTIAL_ROWS });
      try {
        const h = await harness(page);
        // One full GC first: the shim generated the records in this page, garbage the real webview never has.
        await heapMB(page);
        first.push((h.renderedAt as number) - (h.dataPostedAt as number));
        whole.push((h.completeAt as number) - (h.completePostedAt as number));
        sortEmail.push(await timeAction(page, 'click', '[role=columnheader][data-column="email"]'));
        sortEmailAgain.push(await timeAction(page, 'click', '[role=columnheader][data-column="email"]'));
        sortStatus.push(await timeAction(page, 'click', '[role=columnheader][data-column="status"]'));
        await timeAction(page, 'click', '[role=columnheader][data-column="score"]');
        sortScoreThenEmail.push(await timeAction(page, 'shiftClick', '[role=columnheader][data-column="email"]'));
        filterClick.push(
          await timeAction(page, 'click', '.chips[aria-label="Status filter"] .chip[data-value="risky"]'),
        );
        filterClear.push(
          await timeAction(page, 'click', '.chips[aria-label="Status filter"] .chip[data-value="risky"]'),
        );
        const typed = 'smith';
        const keystrokes: Timing[] = [];
        for (let k = 1; k <= typed.length; k++) keystrokes.push(await timeAction(page, 'type', typed.slice(0, k)));
        searchFirst.push(keystrokes[0]);
        searchWorst.push(keystrokes.reduce((a, b) => (b.paint > a.paint ? b : a)));
        await timeAction(page, 'type', '');
        columnFilter.push(await timeAction(page, 'columnFilter', `email\t${typed}`));
        columnFilterRemove.push(await timeAction(page, 'click', '.column-filter-chips .chip-remove'));
        idles.push(await fling(page, false));
        flings.push(await fling(page));
        domRows.push(await page.evaluate(() => document.querySelectorAll('.grid-row').length));
        heap.push(await heapMB(page));
      } finally {
        await page.close();
      }
    }
    let pageBase: { parseMs: number; sortMs: number; filterMs: number; heapMB: number }[] = [];
    try {
      for (const _ of runs(RUNS)) pageBase.push(await pageBaseline(browser, url, shim, n));
    } catch (error) {
      console.error(`  (page baseline failed at ${n} rows: ${String(error).split('\n')[0]})`);
      pageBase = [];
    }
    const base = (values: number[], unit: string) =>
      values.length ? `${fmt(stat(values).median, unit)} ${unit}` : 'n/a';
    const pageParse = base(
      pageBase.map((b) => b.parseMs),
      'ms',
    );
    const pageSort = base(
      pageBase.map((b) => b.sortMs),
      'ms',
    );
    const pageFilter = base(
      pageBase.map((b) => b.filterMs),
      'ms',
    );
    const nodeParse = base(
      nodeBase.map((b) => b.parseMs),
      'ms',
    );
    const hostFirst = stat(ingest.map((i) => i.partialMs)).median + stat(first).median;
    return [
      {
        metric: `host: cache file (${(bytes / 1e6).toFixed(0)} MB) → whole store`,
        unit: 'ms',
        stat: stat(ingest.map((i) => i.ms)),
        baseline: `JSON.parse ${nodeParse}`,
      },
      {
        metric: `host: → first ${PARTIAL_ROWS.toLocaleString('en-US')} rows posted`,
        unit: 'ms',
        stat: stat(ingest.map((i) => i.partialMs)),
      },
      {
        metric: 'host heap growth (store kept)',
        unit: 'MB',
        stat: stat(ingest.map((i) => i.growthMB)),
        target: '≤ 200',
        baseline: `JSON.parse ${base(
          nodeBase.map((b) => b.growthMB),
          'MB',
        )}`,
      },
      {
        metric: 'webview: first data message → rows painted',
        unit: 'ms',
        stat: stat(first),
        baseline: `page JSON.parse ${pageParse}`,
      },
      {
        metric: 'on disk → first rows (sum of medians)',
        unit: 'ms',
        value: fmt(hostFirst, 'ms'),
        target: big ? '≤ 1000' : '',
      },
      { metric: 'webview: whole-batch message → painted', unit: 'ms', stat: stat(whole) },
      {
        metric: 'sort email (cold: ranks built)',
        unit: 'ms',
        stat: stat(sortEmail.map((t) => t.paint)),
        handler: stat(sortEmail.map((t) => t.handler)).median,
        target: big ? '≤ 1000' : '≤ 150',
        baseline: `page emails.sort ${pageSort}`,
      },
      {
        metric: 'sort email desc (warm)',
        unit: 'ms',
        stat: stat(sortEmailAgain.map((t) => t.paint)),
        handler: stat(sortEmailAgain.map((t) => t.handler)).median,
        target: big ? '≤ 1000' : '≤ 150',
        baseline: `node emails.sort ${base(
          nodeBase.map((b) => b.sortMs),
          'ms',
        )}`,
      },
      {
        metric: 'sort status (cold)',
        unit: 'ms',
        stat: stat(sortStatus.map((t) => t.paint)),
        handler: stat(sortStatus.map((t) => t.handler)).median,
        target: big ? '≤ 1000' : '≤ 150',
      },
      {
        metric: 'sort score ↑, then shift-click email',
        unit: 'ms',
        stat: stat(sortScoreThenEmail.map((t) => t.paint)),
        handler: stat(sortScoreThenEmail.map((t) => t.handler)).median,
        target: big ? '≤ 1000' : '≤ 150',
      },
      {
        metric: 'status chip click → repaint',
        unit: 'ms',
        stat: stat(filterClick.map((t) => t.paint)),
        handler: stat(filterClick.map((t) => t.handler)).median,
        target: big ? '≤ 150' : '≤ 30',
      },
      {
        metric: 'status chip unclick → repaint',
        unit: 'ms',
        stat: stat(filterClear.map((t) => t.paint)),
        handler: stat(filterClear.map((t) => t.handler)).median,
        target: big ? '≤ 150' : '≤ 30',
      },
      {
        metric: 'search: first keystroke → repaint',
        unit: 'ms',
        stat: stat(searchFirst.map((t) => t.paint)),
        handler: stat(searchFirst.map((t) => t.handler)).median,
        target: big ? '≤ 150' : '≤ 30',
      },
      {
        metric: 'search: slowest of "smith" keystrokes',
        unit: 'ms',
        stat: stat(searchWorst.map((t) => t.paint)),
        handler: stat(searchWorst.map((t) => t.handler)).median,
        target: big ? '≤ 150' : '≤ 30',
      },
      {
        metric: 'column filter: Email contains "smith" → repaint',
        unit: 'ms',
        stat: stat(columnFilter.map((t) => t.paint)),
        handler: stat(columnFilter.map((t) => t.handler)).median,
        baseline: `page emails.filter(includes) ${pageFilter}`,
      },
      {
        metric: 'column filter removed → repaint',
        unit: 'ms',
        stat: stat(columnFilterRemove.map((t) => t.paint)),
        handler: stat(columnFilterRemove.map((t) => t.handler)).median,
      },
      {
        metric: 'scroll fling (241 frames), longest frame',
        unit: 'ms',
        stat: stat(flings.map((f) => f.longest)),
        target: '≤ 50',
        baseline: `idle page, same frames: ${base(
          idles.map((f) => f.longest),
          'ms',
        )}`,
      },
      {
        metric: 'scroll fling, 95th percentile frame',
        unit: 'ms',
        stat: stat(flings.map((f) => f.p95)),
        baseline: `idle page: ${base(
          idles.map((f) => f.p95),
          'ms',
        )}`,
      },
      { metric: 'scroll fling, main-thread tasks > 50 ms', unit: '', stat: stat(flings.map((f) => f.longTasks)) },
      { metric: 'DOM row elements', unit: '', stat: stat(domRows), target: '< 200' },
      {
        metric: 'webview JS heap after GC',
        unit: 'MB',
        stat: stat(heap),
        target: big ? '≤ 250' : '',
        baseline: `page JSON.parse ${base(
          pageBase.map((b) => b.heapMB),
          'MB',
        )}`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function print(n: number, rows: Row[]): void {
  const header = ['metric', 'median', 'min', 'max', 'JS handler', 'target', 'baseline (same run)'];
  const lines = rows.map((r) => {
    const u = r.unit ? ` ${r.unit}` : '';
    return [
      r.metric,
      r.stat ? `${fmt(r.stat.median, r.unit)}${u}` : `${r.value}${u}`,
      r.stat ? fmt(r.stat.min, r.unit) : '',
      r.stat ? fmt(r.stat.max, r.unit) : '',
      r.handler === undefined ? '' : `${fmt(r.handler, 'ms')} ms`,
      r.target ?? '',
      r.baseline ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(
    `\n### Results table, ${n.toLocaleString('en-US')} rows (median of ${RUNS}; "→ repaint" runs until the next frame is produced, "JS handler" is the event handler alone)\n`,
  );
  console.log(
    `Load average after this size: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(line(l));
}

async function main(): Promise<void> {
  const shim = await buildBundles();
  const root = repoRoot();
  const bundle = fs.readFileSync(path.join(root, 'dist/webview.js'));
  const server = await startPageServer();
  const browser = await launchChromium();
  try {
    const cpu = os.cpus();
    console.log(`Results-table benchmark, ${new Date().toISOString()}`);
    console.log(
      `Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${os.platform()} ${os.release()}`,
    );
    console.log(
      `Node ${process.version}, Chromium ${browser.version()} (headless)${(globalThis as { gc?: unknown }).gc ? '' : ', no --expose-gc: host heap figures are noisy'}`,
    );
    console.log(
      `Webview bundle: ${(bundle.length / 1024).toFixed(1)} KB, ${(gzipSync(bundle).length / 1024).toFixed(1)} KB gzipped (target < 60 KB gzipped; icon font not included)`,
    );
    console.log(
      `Load average at start: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (other work on this machine skews frame times)`,
    );
    console.log(
      "Not measured here: VS Code's own host→webview transfer of the store (the e2e ring runs the real one).",
    );
    for (const n of SIZES) print(n, await benchSize(browser, server.url, shim, n));
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
