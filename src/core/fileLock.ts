import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BouncerError } from './errors';

/**
 * A lock shared by every process on this machine: a lock file created with exclusive create (`wx`),
 * holding who owns it. Several VS Code windows are separate processes sharing one cache folder, and
 * an in-memory lock cannot see the others.
 *
 * A lock whose owner died is broken: its process is gone (same host), or the holder stopped
 * refreshing it (its modification time is older than `staleMs`). The holder refreshes it every
 * `refreshMs` while it holds it, so a long download is never mistaken for a dead one.
 */
export interface FileLock {
  /** Touches the lock file so waiters see the holder is alive; the timer does this on its own. */
  refresh(): Promise<void>;
  /** Stops refreshing and deletes the lock file if it is still this holder's. Never throws. */
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** Waiting stops with `BouncerError('cancelled')` when this aborts. */
  signal?: AbortSignal;
  /** A lock file untouched this long belongs to nobody. Default {@link DEFAULT_STALE_MS}. */
  staleMs?: number;
  /** How often the holder touches its lock file. Default {@link DEFAULT_REFRESH_MS}. */
  refreshMs?: number;
  /** How often a waiter looks again. Default {@link DEFAULT_POLL_MS}. */
  pollMs?: number;
  /** Called once, when the lock is first found held by someone else. */
  onWait?: (owner: LockOwner | undefined) => void;
}

/** What a lock file says about its holder. */
export interface LockOwner {
  pid: number;
  host: string;
  /** When the holder took the lock (ms since the epoch). */
  since: number;
  /** Tells this holder's lock file from a later one at the same path. */
  token: string;
}

export const DEFAULT_STALE_MS = 30_000;
export const DEFAULT_REFRESH_MS = 5_000;
export const DEFAULT_POLL_MS = 200;

/** Waits until the lock at `lockPath` is free, takes it, and returns it. The directory is created. */
export async function acquireFileLock(lockPath: string, options: FileLockOptions = {}): Promise<FileLock> {
  let waited = false;
  for (;;) {
    throwIfCancelled(options.signal);
    const lock = await tryAcquireFileLock(lockPath, options);
    if (lock) return lock;
    if (!waited) {
      waited = true;
      options.onWait?.(await readOwner(lockPath));
    }
    await sleep(options.pollMs ?? DEFAULT_POLL_MS, options.signal);
  }
}

/**
 * Takes the lock if nobody holds it (breaking a stale one first); `undefined` when it is held.
 * For work that should be skipped, not waited for, while someone else holds the lock.
 */
export async function tryAcquireFileLock(
  lockPath: string,
  options: FileLockOptions = {},
): Promise<FileLock | undefined> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: Date.now(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(lockPath, owner)) return holding(lockPath, owner, options.refreshMs ?? DEFAULT_REFRESH_MS);
    if (!(await breakIfStale(lockPath, staleMs))) return undefined;
  }
  // Broken three times and taken by someone else each time: it is held.
  return undefined;
}

/** Creates the lock file; false when it already exists. */
async function create(lockPath: string, owner: LockOwner): Promise<boolean> {
  for (;;) {
    try {
      await fs.writeFile(lockPath, JSON.stringify(owner), { flag: 'wx' });
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // The folder is missing (first download of a batch, or another window just emptied it).
      if (code === 'ENOENT') await fs.mkdir(path.dirname(lockPath), { recursive: true });
      else throw error;
    }
  }
}

/**
 * Deletes the lock file when its holder is dead; true when the lock is (now) free to try again.
 *
 * Breaking renames the file to a unique name first and checks it took the one it judged: two
 * waiters that both judge a lock stale must not end with one deleting the lock the other just took.
 * (If the check fails, the live lock is put back unless a newer one appeared; at worst two
 * processes then download the same file, each into its own temporary file, which costs time and
 * never mixes bytes.)
 */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let stats;
  try {
    stats = await fs.stat(lockPath);
  } catch {
    return true; // Released between our attempt and now.
  }
  const owner = await readOwner(lockPath);
  const abandoned = Date.now() - stats.mtimeMs > staleMs || (owner !== undefined && !isAlive(owner));
  // An unreadable file may be a lock being written right now: only its age can condemn it.
  if (!abandoned) return false;
  const aside = `${lockPath}.${randomBytes(6).toString('hex')}.broken`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return true; // Someone else broke or released it first.
  }
  const taken = await readOwner(aside);
  if (owner !== undefined && taken !== undefined && taken.token !== owner.token) {
    // We moved a lock taken after our look: give it back (link fails if a newer one exists).
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
  return true;
}

function holding(lockPath: string, owner: LockOwner, refreshMs: number): FileLock {
  let released = false;
  const refresh = async (): Promise<void> => {
    if (released) return;
    const now = new Date();
    await fs.utimes(lockPath, now, now).catch(() => undefined);
  };
  const timer = setInterval(() => void refresh(), refreshMs);
  // A forgotten lock must not keep the process alive; the stale rule frees it after exit.
  timer.unref();
  return {
    refresh,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      // Only our own lock: if it was broken as stale and taken since, it is someone else's now.
      if ((await readOwner(lockPath))?.token === owner.token) {
        await fs.rm(lockPath, { force: true }).catch(() => undefined);
      }
    },
  };
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const value: unknown = JSON.parse(await fs.readFile(lockPath, 'utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, since, token } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'number' || typeof token !== 'string') {
      return undefined;
    }
    return { pid, host, since, token };
  } catch {
    return undefined;
  }
}

/** Whether the holder's process still runs; a holder on another host is given the benefit of the doubt. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

function cancelled(): BouncerError {
  return new BouncerError('cancelled', 'Stopped waiting for another download of the same results.');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
