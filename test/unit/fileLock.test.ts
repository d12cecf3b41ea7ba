import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BouncerError } from '../../src/core/errors';
import { acquireFileLock, tryAcquireFileLock, type LockOwner } from '../../src/core/fileLock';

/** The pid of a process that has exited (so, on this host, is no longer running). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  return child.pid;
}

async function writeLock(file: string, owner: Partial<LockOwner>, ageMs = 0): Promise<void> {
  const full: LockOwner = { pid: process.pid, host: os.hostname(), since: Date.now(), token: 'someone-else', ...owner };
  await fs.writeFile(file, JSON.stringify(full));
  const when = (Date.now() - ageMs) / 1000;
  await fs.utimes(file, when, when);
}

describe('file lock', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-lock-'));
    file = path.join(dir, 'sub', 'all.json.lock');
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is held by one holder at a time, records who holds it, and is gone once released', async () => {
    const lock = await acquireFileLock(file);
    const owner = JSON.parse(await fs.readFile(file, 'utf8')) as LockOwner;
    assert.equal(owner.pid, process.pid);
    assert.equal(owner.host, os.hostname());
    assert.equal(await tryAcquireFileLock(file), undefined, 'a live holder keeps it');
    await lock.release();
    await assert.rejects(fs.stat(file));
    const again = await tryAcquireFileLock(file);
    assert.ok(again);
    await again.release();
  });

  it('breaks a lock whose process is gone', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeLock(file, { pid: await deadPid() });
    const lock = await tryAcquireFileLock(file);
    assert.ok(lock, 'taken over at once, without waiting for it to go stale');
    assert.equal((JSON.parse(await fs.readFile(file, 'utf8')) as LockOwner).pid, process.pid);
    await lock.release();
  });

  it('breaks a lock nobody refreshed for longer than the stale bound, even if its pid runs', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeLock(file, {}, 5_000);
    assert.equal(await tryAcquireFileLock(file, { staleMs: 60_000 }), undefined, 'within the bound it is held');
    const lock = await tryAcquireFileLock(file, { staleMs: 1_000 });
    assert.ok(lock);
    await lock.release();
    // An unreadable lock file (being written, or damaged) is judged by its age alone.
    await fs.writeFile(file, '');
    assert.equal(await tryAcquireFileLock(file, { staleMs: 1_000 }), undefined);
    await fs.utimes(file, (Date.now() - 5_000) / 1000, (Date.now() - 5_000) / 1000);
    const taken = await tryAcquireFileLock(file, { staleMs: 1_000 });
    assert.ok(taken);
    await taken.release();
  });

  it('a holder that refreshes its lock is never taken for dead', async () => {
    const lock = await acquireFileLock(file);
    const past = (Date.now() - 5_000) / 1000;
    await fs.utimes(file, past, past);
    await lock.refresh();
    assert.equal(await tryAcquireFileLock(file, { staleMs: 1_000 }), undefined);
    await lock.release();
  });

  it('release leaves alone a lock that another holder took over', async () => {
    const lock = await acquireFileLock(file);
    await writeLock(file, { token: 'the-new-holder' });
    await lock.release();
    assert.equal((JSON.parse(await fs.readFile(file, 'utf8')) as LockOwner).token, 'the-new-holder');
  });

  it('waits for the holder, says so once, and takes the lock when it is released', async () => {
    const held = await acquireFileLock(file);
    let waits = 0;
    let onWait!: () => void;
    const waiting = new Promise<void>((resolve) => (onWait = resolve));
    let acquired = false;
    const next = acquireFileLock(file, {
      pollMs: 5,
      onWait: (owner) => {
        waits++;
        assert.equal(owner?.pid, process.pid);
        onWait();
      },
    }).then((lock) => {
      acquired = true;
      return lock;
    });
    await waiting;
    assert.equal(acquired, false);
    await held.release();
    const lock = await next;
    assert.equal(waits, 1);
    await lock.release();
  });

  it('stops waiting with a cancelled error when its signal aborts', async () => {
    const held = await acquireFileLock(file);
    const controller = new AbortController();
    let onWait!: () => void;
    const waiting = new Promise<void>((resolve) => (onWait = resolve));
    const next = acquireFileLock(file, { pollMs: 5, signal: controller.signal, onWait: () => onWait() });
    await waiting;
    controller.abort();
    await assert.rejects(next, (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled');
    assert.equal((JSON.parse(await fs.readFile(file, 'utf8')) as LockOwner).pid, process.pid, 'the holder keeps it');
    await held.release();
    await assert.rejects(acquireFileLock(file, { signal: AbortSignal.abort() }), /Stopped waiting/);
  });
});
