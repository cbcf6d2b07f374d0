/**
 * The shard's journal, `OUT/shard-I-of-N.jsonl`: one line per finished comparison, appended and synced before
 * the next comparison starts, so a shard killed at any moment loses at most the comparison it was running.
 * A line cut short by the kill has no newline; it is ignored, and cut off before the next append.
 */
import { writeFailure } from '../fs/durableWrite.ts';
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { AppError } from '../../src/core/errors.ts';
import type { ModelRuns } from './comparator.ts';

export interface JournalEntry {
  /** The group's key (its reference's name). */
  group: string;
  /** Image shown as A, and as B, by their dataset names. */
  imageA: string;
  imageB: string;
  /** Raw softmax probabilities of `▁A` and `▁B` after `▁Image`. */
  pA: number;
  pB: number;
  runs: ModelRuns;
  /** Wall time of this comparison. */
  elapsedMs: number;
}

export interface JournalContents {
  entries: JournalEntry[];
  /** Bytes up to the end of the last complete line. */
  completeBytes: number;
  /** Bytes after it: a line cut short (0 when the file ends with a newline). */
  partialBytes: number;
}

export async function readJournal(path: string): Promise<JournalContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], completeBytes: 0, partialBytes: 0 };
    throw error;
  }
  const completeBytes = bytes.lastIndexOf(0x0a) + 1;
  const entries: JournalEntry[] = [];
  const lines = bytes.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.forEach((line, k) => {
    if (line === '') return;
    entries.push(parseEntry(line, path, k + 1));
  });
  return { entries, completeBytes, partialBytes: bytes.length - completeBytes };
}

export interface JournalWriter {
  append(entry: JournalEntry): Promise<void>;
  close(): Promise<void>;
}

/** Opens the journal for appending, first cutting off a line that a kill left unfinished. */
export async function openJournal(path: string, contents: JournalContents): Promise<JournalWriter> {
  if (contents.partialBytes > 0) await truncate(path, contents.completeBytes);
  const handle: FileHandle = await open(path, 'a');
  return {
    async append(entry) {
      // A failed write (a full disk) may leave part of the line: the next read drops it, as it drops a killed run's.
      try {
        await handle.appendFile(`${JSON.stringify(entry)}\n`);
        await handle.datasync();
      } catch (error) {
        throw writeFailure(path, error);
      }
    },
    close: () => handle.close(),
  };
}

/** Key of one ordered comparison: a group's pair in one order. */
export function entryKey(entry: Pick<JournalEntry, 'group' | 'imageA' | 'imageB'>): string {
  return JSON.stringify([entry.group, entry.imageA, entry.imageB]);
}

function parseEntry(line: string, path: string, lineNumber: number): JournalEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = null;
  }
  const e = value as Partial<JournalEntry> | null;
  const probability = (p: unknown) => typeof p === 'number' && p >= 0 && p <= 1;
  if (
    e === null ||
    typeof e !== 'object' ||
    typeof e.group !== 'string' ||
    typeof e.imageA !== 'string' ||
    typeof e.imageB !== 'string' ||
    !probability(e.pA) ||
    !probability(e.pB) ||
    typeof e.runs !== 'object' ||
    typeof e.elapsedMs !== 'number'
  ) {
    throw new AppError('FILE_TRUNCATED', `${path}: line ${lineNumber} is not a comparison record.`, {
      hint: 'The journal was edited or written by another tool; move it away and run the shard again.',
    });
  }
  return e as JournalEntry;
}
