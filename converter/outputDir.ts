import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';
import { AppError } from '../src/core/errors.ts';

/**
 * The converter writes into a temporary sibling folder and renames it at the end, so an interrupted run
 * never leaves a half bundle where the engine would look for one.
 */
export interface StagedOutput {
  /** Where files are written while the run is in progress. */
  stagingDir: string;
  /** Moves the staging folder to its final place (replacing an old bundle only with --force). */
  commit(): Promise<void>;
  /** Removes the staging folder; safe to call twice and after commit. */
  discard(): Promise<void>;
}

export interface OutputCheck {
  out: string;
  /** Input files and folders: the output may not be inside any of them. */
  inputs: string[];
  force: boolean;
}

/** Checks --out before anything is read or written. */
export function checkOutput({ out, inputs, force }: OutputCheck): void {
  const target = resolve(out);
  for (const input of inputs) {
    const inputPath = resolve(input);
    const inputDir = existsSync(inputPath) && statSync(inputPath).isFile() ? dirname(inputPath) : inputPath;
    if (isInside(target, inputDir)) {
      throw new AppError('OUTPUT_INSIDE_INPUT', `--out ${out} is inside the input folder ${inputDir}.`, {
        hint: 'Write the bundle somewhere else, so that converting never touches the original files.',
      });
    }
  }
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) {
      throw new AppError('OUTPUT_NOT_EMPTY', `--out ${out} exists and is not a folder.`);
    }
    if (readdirSync(target).length > 0 && !force) {
      throw new AppError('OUTPUT_NOT_EMPTY', `--out ${out} is not empty.`, {
        hint: 'Choose an empty or new folder, or pass --force to replace its contents.',
      });
    }
  }
}

/** Refuses to start when the output's file system has less room than the bundle needs (with a 5% margin). */
export function checkFreeSpace(out: string, bytesNeeded: number): void {
  const existing = nearestExisting(resolve(out));
  const stats = statfsSync(existing);
  const free = Number(stats.bavail) * Number(stats.bsize);
  const needed = Math.ceil(bytesNeeded * 1.05);
  if (free < needed) {
    throw new AppError('DISK_SPACE', `Not enough disk space at ${existing}: the bundle needs ${gib(needed)}, ${gib(free)} is free.`, {
      hint: 'Free some space, write --out to another disk, or convert fewer --precision variants.',
    });
  }
}

export async function stageOutput(out: string): Promise<StagedOutput> {
  const target = resolve(out);
  const stagingDir = `${target}.partial-${process.pid}`;
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  let committed = false;
  return {
    stagingDir,
    async commit() {
      if (existsSync(target)) await rm(target, { recursive: true, force: true });
      await mkdir(dirname(target), { recursive: true });
      await rename(stagingDir, target);
      committed = true;
    },
    async discard() {
      if (!committed) await rm(stagingDir, { recursive: true, force: true });
    },
  };
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
