/**
 * One writer per shard (and per merge): a lock file beside the journal, made with an exclusive create, holding
 * who took it. A second process finds the file and refuses at once with SHARD_LOCKED (the CLI's exit status 75,
 * EX_TEMPFAIL, which Slurm's requeue logic can tell from a failure), naming the holder.
 *
 * Node has no flock(2), so the lock is the file itself: `open(path, 'wx')` is atomic on local file systems and on
 * NFSv3 and later, where flock may not be. The holder refreshes the file's mtime (its heartbeat) while it holds
 * the lock, and removes the file when it lets go, on SIGINT and SIGTERM too. A file left by a holder that died:
 * - on this host, its pid no longer runs: taken over at once, with a note;
 * - on another host, its heartbeat is older than `staleMs`: taken over, with a note; younger: refused.
 * Tested on ext4 and tmpfs; not on NFS.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { AppError } from '../../src/core/errors.ts';
import { writeFailure } from '../fs/durableWrite.ts';

export interface LockHolder {
  host: string;
  pid: number;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** What holds it, e.g. "eval shard 1/4". */
  what: string;
}

export interface HeldLock {
  path: string;
  /** What taking the lock had to do: a dead holder's lock taken over, say. */
  notes: string[];
  /** Lets go of the lock (only if it is still this holder's). */
  release(): Promise<void>;
}

export interface LockOptions {
  /** What holds the lock, for the holder record and messages. */
  what: string;
  /** How often the holder refreshes its heartbeat; default 30 s. */
  heartbeatMs?: number;
  /** A heartbeat older than this on another host means the holder is gone; default 5 min. */
  staleMs?: number;
  /** For tests: this process as another host or pid would be, the clock, and whether a pid runs. */
  host?: string;
  pid?: number;
  now?: () => number;
  isRunning?: (pid: number) => boolean;
  /** Release on SIGINT/SIGTERM and exit (128 + signal); default true. Tests holding two locks in one process turn it off. */
  releaseOnSignal?: boolean;
}

/** Takes the lock at `path`, or fails with SHARD_LOCKED naming the holder. */
export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const host = options.host ?? hostname();
  const pid = options.pid ?? process.pid;
  const now = options.now ?? Date.now;
  const isRunning = options.isRunning ?? processRuns;
  const staleMs = options.staleMs ?? 5 * 60_000;
  const record = `${JSON.stringify({ host, pid, startedAt: new Date(now()).toISOString(), what: options.what } satisfies LockHolder)}\n`;
  const notes: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, record)) return held(path, record, notes, options);
    const found = await readHolder(path);
    if (found === null) continue; // released between our create and our read
    const { holder, text, ageMs } = found;
    const gone =
      holder === null
        ? ageMs > staleMs // a holder that died between its create and its write
        : holder.host === host
          ? holder.pid !== pid && !isRunning(holder.pid)
          : ageMs > staleMs;
    if (!gone) throw lockedError(path, holder, ageMs, staleMs);
    if (await takeOver(path, text)) {
      notes.push(
        holder === null
          ? `${path}: took over an empty lock file last touched ${seconds(ageMs)} ago`
          : holder.host === host
            ? `${path}: took over the lock of ${holder.what} (pid ${holder.pid}, started ${holder.startedAt}), which no longer runs`
            : `${path}: took over the lock of ${holder.what} (pid ${holder.pid} on ${holder.host}), whose heartbeat stopped ${seconds(ageMs)} ago`,
      );
    }
  }
  throw new AppError('SHARD_LOCKED', `${path}: the lock changed hands five times while it was being taken.`, {
    hint: 'Another process keeps taking this shard: run each shard once at a time.',
  });
}

async function createExclusive(path: string, record: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeFailure(path, error);
  }
  try {
    await handle.writeFile(record);
    await handle.sync();
  } catch (error) {
    // Not taken: a lock file without its holder's name would hold the shard for staleMs.
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw writeFailure(path, error);
  }
  await handle.close();
  return true;
}

async function readHolder(path: string): Promise<{ holder: LockHolder | null; text: string; ageMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { holder: parseHolder(text), text, ageMs: Math.max(0, Date.now() - info.mtimeMs) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.host === 'string' && typeof value.pid === 'number' && typeof value.startedAt === 'string' && typeof value.what === 'string' ? (value as LockHolder) : null;
  } catch {
    return null;
  }
}

/**
 * Moves a dead holder's file aside, so that the next exclusive create can succeed. Only one of two processes
 * taking over at once wins the rename; one that moved a lock taken meanwhile by a live holder puts it back.
 */
async function takeOver(path: string, staleText: string): Promise<boolean> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if ((await readFile(aside, 'utf8')) !== staleText) {
    // Not the file judged dead: a fresh holder's. Back where it was, unless yet another holder is there now.
    await link(aside, path).catch(() => undefined);
    await unlink(aside);
    return false;
  }
  await unlink(aside);
  return true;
}

function held(path: string, record: string, notes: string[], options: LockOptions): HeldLock {
  const heartbeat = setInterval(() => {
    const at = new Date();
    utimes(path, at, at).catch(() => undefined);
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Only this holder's file: a lock taken over meanwhile is the new holder's.
    if ((await readFile(path, 'utf8').catch(() => null)) === record) await unlink(path).catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void release().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  };
  if (options.releaseOnSignal !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { path, notes, release };
}

function lockedError(path: string, holder: LockHolder | null, ageMs: number, staleMs: number): AppError {
  const who = holder === null ? 'a process that has not yet written its name' : `${holder.what}, pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`;
  return new AppError('SHARD_LOCKED', `${path} is held by ${who} (heartbeat ${seconds(ageMs)} ago): this shard is being written by another process.`, {
    hint:
      'Wait for it to finish, or stop it. A holder that died is taken over at once on the same host, and from another host once ' +
      `its heartbeat is ${seconds(staleMs)} old; delete the lock file only if you know it is gone.`,
  });
}

/**
 * Whether a process of this host runs: signal 0 reaches it, and on Linux it is not a zombie (a killed process
 * whose parent has not reaped it, as in a container whose init reaps nothing, still answers signal 0).
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "pid (comm) state …"; comm may hold spaces and parentheses, the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 is all there is
  }
}

function seconds(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
