/**
 * A full disk, for real (a small tmpfs): the journal, the merge and the converter each fail with DISK_SPACE naming
 * the file and the room left, and leave nothing that looks finished.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { convertBundle } from '../../converter/convertBundle.ts';
import { SILENT_PROGRESS } from '../../converter/progress.ts';
import { readDataset } from '../eval/datasets.ts';
import { runEval } from '../eval/evalCli.ts';
import { fakeComparator, scoresFromDataset } from '../eval/fakeComparator.ts';
import { openJournal, readJournal, type JournalEntry } from '../eval/journal.ts';
import { runShard } from '../eval/runShard.ts';
import { makeTestGroups, writeTestDataset } from '../eval/testing/testDatasets.ts';
import { mountSmallDisk, smallDiskUnsupported, type SmallDisk } from '../../tools/testing/smallDisk.ts';
import { makeTinyCheckpoint } from '../../tools/tiny/makeTinyCheckpoint.ts';

const unsupported = smallDiskUnsupported();
if (unsupported !== null) console.warn(`Skipping the full-disk tests: ${unsupported}.`);
const onSmallDisk = unsupported === null || process.env.CI ? describe : describe.skip;

let disks: SmallDisk[] = [];
afterEach(async () => {
  for (const disk of disks) await disk.unmount();
  disks = [];
});

async function disk(bytes: number): Promise<SmallDisk> {
  if (unsupported !== null) throw new Error(`${unsupported}: CI must be able to mount a small tmpfs`);
  const mounted = await mountSmallDisk(bytes);
  disks.push(mounted);
  return mounted;
}

const entry = (k: number): JournalEntry => ({ group: 'REF01', imageA: `a${String(k).padStart(3, '0')}.png`, imageB: 'b.png', pA: 0.25, pB: 0.5, runs: { vision: 0, decoder: 2, decodeSteps: 0, prefillTokens: 57 }, elapsedMs: 12.5 });

onSmallDisk('a full disk', () => {
  it('the journal: the append fails naming the journal and the room left; the line it tore is dropped on the next read', async () => {
    const small = await disk(256 * 1024);
    const path = join(small.path, 'shard-0-of-1.jsonl');
    const journal = await openJournal(path, { entries: [], completeBytes: 0, partialBytes: 0 });
    await journal.append(entry(0));
    small.fill();
    // The journal's last page has room for a few more lines; the one that crosses its end is cut mid-line.
    let written = 1;
    const error = await (async () => {
      for (;;) {
        await journal.append(entry(written));
        written++;
      }
    })().catch((caught: unknown) => caught);
    await journal.close();
    expect(error).toMatchObject({ code: 'DISK_SPACE', message: `${path} could not be written: no space left on the device (0 KiB free there).` });
    const contents = await readJournal(path);
    expect(contents.entries).toEqual(Array.from({ length: written }, (_, k) => entry(k)));
    expect(contents.partialBytes).toBeGreaterThan(0);
  });

  it('the merge: DISK_SPACE naming the file, and no summary.json nor half-written file is left', async () => {
    const small = await disk(4 * 1024 * 1024);
    const dataset = await writeTestDataset(join(small.path, 'dataset'), 'csv', await makeTestGroups({ groups: 3, levels: 3, size: 16 }), 16);
    const out = join(small.path, 'eval');
    await runShard({ dataset, out, shard: { index: 0, count: 1 }, pairs: 'active', comparator: fakeComparator({ scores: scoresFromDataset(readDataset(dataset)) }) });
    // Room for the merge's lock file (one page), none for its tables.
    small.fill(4096);
    const error = await runEval({ command: 'merge', out }, { out: () => undefined, err: () => undefined }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'DISK_SPACE', message: expect.stringMatching(new RegExp(`^${out}/scores\\.csv could not be written: no space left on the device \\(\\d+ KiB free there\\)\\.$`)) });
    const names = await readdir(out);
    expect(names.filter((name) => name.startsWith('summary') || name.startsWith('scores') || name.includes('.partial-'))).toEqual([]);
    // The merge's lock is let go: a merge after the space is freed can run.
    expect(names).not.toContain('merge.lock');
  });

  it('the converter: a disk that fills after its check fails with DISK_SPACE naming --out, and leaves no bundle', async () => {
    const small = await disk(256 * 1024 * 1024);
    const tiny = await makeTinyCheckpoint({ out: join(small.path, 'original'), seed: 3 });
    const out = join(small.path, 'bundle');
    // Another writer takes the room once the converter has checked it and begun writing.
    let filled = false;
    const progress = { ...SILENT_PROGRESS, start: () => void (filled || (small.fill(), (filled = true))) };
    const error = await convertBundle({ llm: tiny.llmDir, delta: tiny.deltaPath, out, variants: ['q4'], progress }).catch((caught: unknown) => caught);
    expect(filled).toBe(true);
    expect(error).toMatchObject({ code: 'DISK_SPACE', message: `${out} could not be written: no space left on the device (0 KiB free there).` });
    expect(existsSync(out)).toBe(false);
    expect((await readdir(small.path)).filter((name) => name.includes('.partial-'))).toEqual([]);
    expect(JSON.parse(await readFile(join(tiny.llmDir, 'config.json'), 'utf8'))).toBeTruthy();
  }, 120_000);
});
