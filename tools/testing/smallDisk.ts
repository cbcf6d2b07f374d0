/**
 * A real full disk for tests: a small tmpfs mounted on a scratch folder (Linux, as root: CI runs as root), and a
 * filler that takes all of its room. Elsewhere the tests that need it skip and say why; in CI they fail.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  path: string;
  /** Writes a filler file until the disk is full but for `leaveBytes` (synchronously, so a synchronous hook can call it). */
  fill(leaveBytes?: number): void;
  unmount(): Promise<void>;
}

let support: string | null | undefined;

/** Why this machine cannot mount a small tmpfs (null: it can); probed once. */
export function smallDiskUnsupported(): string | null {
  if (support !== undefined) return support;
  if (process.platform !== 'linux') return (support = `tmpfs mounts need Linux, not ${process.platform}`);
  if (process.getuid?.() !== 0) return (support = 'mounting a small tmpfs needs root (CI runs as root)');
  const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s'], { encoding: 'utf8' });
  return (support = probe.status === 0 ? null : `mount -t tmpfs failed: ${probe.stderr.trim() || `exit ${probe.status}`}`);
}

export async function mountSmallDisk(bytes: number): Promise<SmallDisk> {
  const path = await mkdtemp(join(tmpdir(), 'depictqa-small-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount -t tmpfs on ${path} failed: ${mounted.stderr.trim()}`);
  return {
    path,
    fill(leaveBytes = 0) {
      const fd = openSync(join(path, 'filler'), 'w');
      const block = Buffer.alloc(4096, 1);
      let size = 0;
      try {
        for (;;) size += writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        if (leaveBytes > 0) ftruncateSync(fd, Math.max(0, size - leaveBytes));
        closeSync(fd);
      }
    },
    async unmount() {
      spawnSync('umount', [path]);
      await rm(path, { recursive: true, force: true });
    },
  };
}
