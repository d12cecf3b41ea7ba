/**
 * `npm run bench` (`-- --quick` for 10k and 100k only): the figures behind the claim that the
 * extension is fast and lean, each beside baselines from the same run. Nothing here passes or fails:
 * targets are marked ✓ or ✗ and the exit code is 0 whatever the numbers.
 *
 * Per size: download + ingest (bench/ingest.ts), CSV conversion (bench/csv.ts); then the results
 * table in headless Chromium (bench/table.ts, run as `npm run bench:table`); then the JSON and CSV
 * tabs in a real VS Code (bench/vscodeTabs.ts); then a Bouncer CSV file opened in the table
 * (bench/fileOpen.ts); then "Show Results Table" in a real VS Code, to the first cells and to
 * sortable, with the open trace (bench/vscodeOpen.ts). Flags: --quick, --runs N (default 3),
 * --skip-io, --skip-table, --skip-vscode, --skip-files, --skip-open (to rerun one part), --compare REF
 * (also time the table of git ref REF, built into a temporary folder: today's figures beside the
 * change's), --out FILE (also write the report there).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_EMULATOR_KEY } from '../emulator/server';
import { runCsv, type CsvMode, type CsvRun } from './csv';
import { runIngest, saveGeneratedBody, startFileServer, type IngestMode, type IngestRun } from './ingest';
import { fmtStat, machineHeader, mark, markdownTable, MIB, stat, type Stat } from './stats';
import { runVsCodeOpen } from './vscodeOpen';
import { runVsCodeTabs } from './vscodeTabs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const RUNS = args.includes('--runs') ? Math.max(1, Number(args[args.indexOf('--runs') + 1])) : 3;
const SIZES = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const script = (name: string): string => path.join(__dirname, `${name}.js`);
const repoRoot = path.resolve(__dirname, '../..');

const INGEST_LABELS: Record<IngestMode, string> = {
  ours: 'Download + ingest to cache (extension client, downloadToCache)',
  fetch: 'Baseline: node-fetch → .json() (naive, same server)',
  parse: 'Baseline: readFileSync + JSON.parse (same bytes, from disk)',
};
const CSV_LABELS: Record<CsvMode, string> = {
  ours: 'CSV: readRecords → writeCsv (formula neutralising on)',
  read: '  of which reading: readRecords alone, no CSV written',
  join: 'Baseline: JSON.parse + map/join + writeFile (no quoting)',
};

function versions(): { chromium?: string; vscode?: string } {
  try {
    const manifest = path.join(
      process.env.BOUNCER_TEST_CACHE ?? path.join(os.homedir(), '.cache/bouncer-results-test'),
      'test-deps.json',
    );
    const deps = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
      chromium: string;
      codeServerDir: string;
      codeServerVersion?: string;
    };
    const chromium = execFileSync(deps.chromium, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const vscodePkg = JSON.parse(fs.readFileSync(path.join(deps.codeServerDir, 'lib/vscode/package.json'), 'utf8')) as {
      version: string;
    };
    return {
      chromium,
      vscode: `${vscodePkg.version} (code-server ${deps.codeServerVersion ?? '?'}, server in Node 24 headless Chromium)`,
    };
  } catch (error) {
    return { chromium: `unknown (${(error as Error).message.split('\n')[0]})` };
  }
}

const seconds = (s: Stat): string => fmtStat({ median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 }, 3);
const megabytes = (values: number[]): Stat => stat(values.map((v) => v / MIB));

/** MB/s of `bytes` at the median, fastest and slowest times. */
function throughput(bytes: number, ms: Stat): string {
  const rate = (t: number): number => bytes / MIB / (t / 1000);
  return `${rate(ms.median).toFixed(0)} (${rate(ms.max).toFixed(0)}–${rate(ms.min).toFixed(0)})`;
}

async function benchSize(n: number, dir: string, serverUrl: string): Promise<string> {
  const batchId = `gen-${n}`;
  const bodyFile = await saveGeneratedBody(n, dir);
  const bytes = fs.statSync(bodyFile).size;
  const cacheFile = path.join(dir, `cache-${n}.json`);
  const ingest: Record<IngestMode, IngestRun[]> = { ours: [], fetch: [], parse: [] };
  // Interleaved, so drift on a shared machine spreads over all three instead of favouring one.
  for (let r = 0; r < RUNS; r++) {
    for (const mode of ['parse', 'fetch', 'ours'] as const) {
      const run = await runIngest(script('ingest'), mode, {
        url: serverUrl,
        apiKey: DEFAULT_EMULATOR_KEY,
        batchId,
        bodyFile,
        dest: cacheFile,
      });
      if (run.records !== n) throw new Error(`${mode} read ${run.records} records of ${n}`);
      ingest[mode].push(run);
    }
  }
  const hasName = ingest.ours[0].hasName === true;
  const csv: Record<CsvMode, CsvRun[]> = { ours: [], read: [], join: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const mode of ['join', 'read', 'ours'] as const) {
      csv[mode].push(await runCsv(script('csv'), mode, cacheFile, path.join(dir, `out-${n}-${mode}.csv`), hasName));
    }
  }

  const ms = (runs: { ms: number }[]): Stat => stat(runs.map((x) => x.ms));
  const oursMs = ms(ingest.ours);
  const parseMs = ms(ingest.parse);
  const oursPeak = megabytes(ingest.ours.map((x) => x.peakGrowth));
  const rows: string[][] = [];
  for (const mode of ['ours', 'fetch', 'parse'] as const) {
    const t = ms(ingest[mode]);
    const peak = megabytes(ingest[mode].map((x) => x.peakGrowth));
    const target =
      mode === 'ours'
        ? `${mark(oursMs.median <= parseMs.median)} speed ≥ JSON.parse; ${mark(oursPeak.median <= 150)} peak ≤ 150 MB`
        : '';
    rows.push([INGEST_LABELS[mode], seconds(t), throughput(bytes, t), fmtStat(peak, 0), target]);
  }
  const csvOurs = ms(csv.ours);
  for (const mode of ['ours', 'read', 'join'] as const) {
    const t = ms(csv[mode]);
    const peak = megabytes(csv[mode].map((x) => x.peakGrowth));
    const target = mode === 'ours' && n >= 1_000_000 ? `${mark(csvOurs.median <= 3000)} ≤ 3 s at 1M rows` : '';
    rows.push([CSV_LABELS[mode], seconds(t), throughput(bytes, t), fmtStat(peak, 0), target]);
  }
  for (const file of fs.readdirSync(dir)) fs.rmSync(path.join(dir, file), { force: true });
  return [
    `### ${n.toLocaleString('en-US')} records: ${(bytes / MIB).toFixed(1)} MB of compact JSON (median of ${RUNS}, min–max)`,
    '',
    markdownTable(['Measurement', 'Time s', 'MB/s of the JSON', 'Peak RSS growth MB', 'Target'], rows),
  ].join('\n');
}

/** Runs bench/fileOpen.ts (files opened in the table) in a process of its own, with a collectable heap. */
function runFileOpenBench(): Promise<string> {
  const flags = [
    '--runs',
    String(RUNS),
    ...(quick ? ['--quick'] : []),
    ...(args.includes('--skip-vscode') ? ['--skip-vscode'] : []),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', script('fileOpen'), ...flags], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('close', (code) => resolve(code === 0 ? out : `${out}\n(fileOpen exited ${code})`));
  });
}

/** Runs `npm run bench:table` with this run's sizes and returns what it printed (echoed live too). */
function runTableBench(): Promise<string> {
  const flags = ['--sizes', SIZES.join(','), '--runs', String(RUNS)];
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'bench:table', '--', ...flags], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('close', (code) => resolve(code === 0 ? out : `${out}\n(bench:table exited ${code})`));
  });
}

/** The extension as of git ref `ref`, built into a temporary folder, to time it beside this checkout. */
function buildRef(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-bench-ref-'));
  const archive = execFileSync('git', ['archive', '--format=tar', ref], { cwd: repoRoot, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  fs.symlinkSync(fs.realpathSync(path.join(repoRoot, 'node_modules')), path.join(dir, 'node_modules'));
  execFileSync('node', ['esbuild.js'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

async function main(): Promise<void> {
  const started = Date.now();
  let lap = started;
  const elapsed = (): string => {
    const now = Date.now();
    const text = `${((now - lap) / 1000).toFixed(0)} s`;
    lap = now;
    return text;
  };
  const outFile = args.includes('--out') ? path.resolve(args[args.indexOf('--out') + 1]) : undefined;
  if (outFile) fs.writeFileSync(outFile, '');
  const log = (text: string): void => {
    process.stdout.write(`${text}\n`);
    if (outFile) fs.appendFileSync(outFile, `${text}\n`);
  };
  log(`# Bouncer Results benchmark${quick ? ' (--quick)' : ''}\n`);
  for (const line of machineHeader(versions())) log(`- ${line}`);
  log(
    '- Every measurement runs in a fresh Node process; peak RSS growth = its kernel high-water mark minus its RSS just before.',
  );
  log(
    '- The emulator generates each batch once; a separate loopback file server then serves the same bytes to every reader.',
  );
  log(
    '- Fresh processes mean cold JIT: at 10k the JavaScript paths pay their warm-up, the native JSON.parse does not.',
  );
  log('- Reproduce: `npm run bench` (or `npm run bench -- --quick` for 10k and 100k only).');
  log('');

  if (!args.includes('--skip-io')) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-bench-'));
    const server = await startFileServer(script('ingest'), dir, DEFAULT_EMULATOR_KEY);
    try {
      log('## Download, ingest and CSV\n');
      for (const n of SIZES) log(`${await benchSize(n, dir, server.url)}\n`);
      log(`(download, ingest and CSV took ${elapsed()})\n`);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (!args.includes('--skip-table')) {
    log('## Results table (npm run bench:table, real headless Chromium running dist/webview.js)\n');
    const table = await runTableBench();
    log(table.trim());
    log(`\n(the table bench took ${elapsed()})\n`);
  }

  if (!args.includes('--skip-vscode')) {
    log('## JSON and CSV tabs in a real VS Code, gen-10000\n');
    try {
      // Opening a tab is cheap and its timings scatter, so more runs than the default unless --quick.
      log(
        await runVsCodeTabs(
          script('vscodeTabs'),
          quick ? RUNS : Math.max(RUNS, 5),
          SIZES.filter((n) => n > 10_000),
        ),
      );
    } catch (error) {
      log(`(not measured: ${(error as Error).message.split('\n')[0]})`);
    }
    log(`\n(the VS Code part took ${elapsed()})\n`);
  }
  if (!args.includes('--skip-files')) {
    log('## A Bouncer CSV file opened in the table (bench/fileOpen.ts)\n');
    log((await runFileOpenBench()).trim());
    log(`\n(the file part took ${elapsed()})\n`);
  }
  if (!args.includes('--skip-open')) {
    log('## Show Results Table in a real VS Code: command → first cells → sortable\n');
    const ref = args.includes('--compare') ? args[args.indexOf('--compare') + 1] : undefined;
    let refDir: string | undefined;
    try {
      refDir = ref ? buildRef(ref) : undefined;
      const compare = ref && refDir ? { label: ref, path: refDir } : undefined;
      log(await runVsCodeOpen(script('vscodeOpen'), repoRoot, { runs: RUNS, sizes: SIZES }, compare));
    } catch (error) {
      log(`(not measured: ${(error as Error).message.split('\n')[0]})`);
    } finally {
      if (refDir) fs.rmSync(refDir, { recursive: true, force: true });
    }
    log(`\n(the Show Results Table part took ${elapsed()})\n`);
  }
  log(`Total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  // A broken bench is reported; numbers are never pass/fail, but a crash still exits 1.
  console.error(error);
  process.exit(1);
});
