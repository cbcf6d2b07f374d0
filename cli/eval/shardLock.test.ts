import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, type LockOptions } from './shardLock.ts';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'depictqa-lock-'));
});
afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const lockPath = () => join(root, `shard-${n++}.jsonl.lock`);
/** Two holders in one test process: told apart by pid, and neither touches the process's signals. */
const as = (pid: number, extra: Partial<LockOptions> = {}): LockOptions => ({ what: `eval shard ${pid}`, pid, host: 'node-a', releaseOnSignal: false, isRunning: () => true, ...extra });

describe('acquireLock', () => {
  it('gives the lock to one holder; a second is refused, naming the holder, until the first lets go', async () => {
    const path = lockPath();
    const first = await acquireLock(path, as(101));
    expect(first.notes).toEqual([]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ host: 'node-a', pid: 101, what: 'eval shard 101' });
    const refused = await acquireLock(path, as(202)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'SHARD_LOCKED' });
    expect((refused as Error).message).toMatch(new RegExp(`^${path} is held by eval shard 101, pid 101 on node-a, since \\d{4}-.*: this shard is being written by another process\\.$`));
    await first.release();
    expect(existsSync(path)).toBe(false);
    const second = await acquireLock(path, as(202));
    await second.release();
  });

  it('takes over at once the lock of a holder on this host whose pid no longer runs, with a note', async () => {
    const path = lockPath();
    await acquireLock(path, as(101)); // never released: the process died
    const next = await acquireLock(path, as(202, { isRunning: (pid) => pid !== 101 }));
    expect(next.notes).toEqual([expect.stringMatching(new RegExp(`^${path}: took over the lock of eval shard 101 \\(pid 101, started .*\\), which no longer runs$`))]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: 202 });
    // Nothing moved aside is left behind.
    expect((await readdir(root)).filter((name) => name.includes('.stale-'))).toEqual([]);
    await next.release();
  });

  it('another host: refused while its heartbeat is fresh, taken over once it is older than staleMs', async () => {
    const path = lockPath();
    await acquireLock(path, as(101, { host: 'node-b' }));
    // node-b's pid 101 is not this host's to check: only the heartbeat counts.
    const onA = as(101, { isRunning: () => false, staleMs: 60_000 });
    await expect(acquireLock(path, onA)).rejects.toMatchObject({ code: 'SHARD_LOCKED', message: expect.stringContaining('pid 101 on node-b') });
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const taken = await acquireLock(path, onA);
    expect(taken.notes).toEqual([expect.stringMatching(/took over the lock of eval shard 101 \(pid 101 on node-b\), whose heartbeat stopped 2 min ago$/)]);
    await taken.release();
  });

  it('refreshes its heartbeat while held, and lets go only of its own lock', async () => {
    const path = lockPath();
    const holder = await acquireLock(path, as(101, { heartbeatMs: 20 }));
    const old = new Date(Date.now() - 600_000);
    await utimes(path, old, old);
    // The heartbeat brings the mtime back to now: another host is refused again.
    for (let k = 0; k < 1000 && (await stat(path)).mtimeMs < Date.now() - 300_000; k++) await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(acquireLock(path, as(303, { host: 'node-c', staleMs: 300_000 }))).rejects.toMatchObject({ code: 'SHARD_LOCKED' });
    // Taken over meanwhile (say, after a long pause): releasing leaves the new holder's file alone.
    await writeFile(path, `${JSON.stringify({ host: 'node-c', pid: 303, startedAt: new Date().toISOString(), what: 'eval shard 303' })}\n`);
    await holder.release();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: 303 });
  });

  it('treats an unreadable lock file as a holder that has not written its name yet, until it is stale', async () => {
    const path = lockPath();
    await writeFile(path, '');
    await expect(acquireLock(path, as(101, { staleMs: 60_000 }))).rejects.toMatchObject({ message: expect.stringContaining('a process that has not yet written its name') });
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const taken = await acquireLock(path, as(101, { staleMs: 60_000 }));
    expect(taken.notes).toEqual([expect.stringMatching(/took over an empty lock file last touched 2 min ago$/)]);
    await taken.release();
  });
});
