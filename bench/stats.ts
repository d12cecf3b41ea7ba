/**
 * Shared pieces of `npm run bench`: median/min/max of repeated runs, the machine and version
 * header, markdown tables, and running one measurement in a fresh child Node process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Stat {
  median: number;
  min: number;
  max: number;
}

/** Median (the lower middle for an even count), min and max of `values`; NaN for an empty list. */
export function stat(values: number[]): Stat {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

/** `1.23 (1.10–1.40)`: the median, then the range of the runs. */
export function fmtStat(s: Stat, digits: number): string {
  if (Number.isNaN(s.median)) return 'n/a';
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

export const MIB = 1024 * 1024;

/** A markdown table with columns padded to line up in a terminal too. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** ✓ when `met`, ✗ when not: targets are reported, never enforced. */
export function mark(met: boolean): string {
  return met ? '✓' : '✗';
}

/** The lines naming the machine and versions a run measured; versions not known yet read `n/a`. */
export function machineHeader(versions: { chromium?: string; vscode?: string }): string[] {
  const cpus = os.cpus();
  return [
    `Date: ${new Date().toISOString()}`,
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM`,
    `OS: ${osName()} (${os.platform()} ${os.release()} ${os.arch()})`,
    `Node: ${process.version}; Chromium: ${versions.chromium ?? 'n/a'}; VS Code: ${versions.vscode ?? 'n/a'}`,
    `Load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
}

function osName(): string {
  try {
    const release = fs.readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/** What a measurement child prints as its last stdout line. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/**
 * Runs `node <script> ...args` in a fresh process, so its peak RSS belongs to that one measurement,
 * and resolves with the JSON it printed after {@link RESULT_PREFIX}. Rejects with its stderr on failure.
 */
export function runChild<T>(script: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
      else reject(new Error(`${path.basename(script)} ${args[0] ?? ''} exited ${code}: ${err.trim().slice(-800)}`));
    });
  });
}

/** Prints a child's result where {@link runChild} looks for it. */
export function reportResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * Peak resident memory of this process since it started, in bytes (the kernel's high-water mark:
 * it also catches peaks inside a synchronous JSON.parse, which no timer could sample).
 */
export function peakRss(): number {
  // maxRSS is in kilobytes on Linux.
  return process.resourceUsage().maxRSS * 1024;
}
