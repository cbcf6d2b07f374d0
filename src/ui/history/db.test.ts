import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginRecord, updateRecord, type HistoryImage, type HistoryRecord } from '../../core/history/record.ts';
import { HistoryDb, type StoredImage } from './db.ts';

const image = (slot: HistoryImage['slot'], sha256: string): HistoryImage => ({
  slot,
  sha256,
  name: `${slot}.png`,
  format: 'PNG',
  bytes: 3,
  width: 1,
  height: 1,
  exifRotated: false,
});
const stored = (sha256: string, bytes: number[]): StoredImage => ({ sha256, blob: new Blob([new Uint8Array(bytes)]), thumbnail: null });

function record(id: string, startedAt: number, images: HistoryImage[]): HistoryRecord {
  return beginRecord({ id, task: 'description', images, settings: { maxNewTokens: 24, sampling: null, loopGuard: false }, model: null, startedAt });
}

let db: HistoryDb;
let dbCount = 0;

beforeEach(async () => {
  db = await HistoryDb.open(`history-test-${dbCount++}`);
});
afterEach(() => db.close());

describe('the history database', () => {
  it('lists runs newest first and gives back the image bytes as saved', async () => {
    await db.saveRun(record('old', 1000, [image('a', 'x1')]), [stored('x1', [1, 2, 3])]);
    await db.saveRun(record('new', 2000, [image('a', 'x2')]), [stored('x2', [4, 5])]);
    await db.saveRun(record('mid', 1500, []));
    expect((await db.listRuns()).map((run) => run.id)).toEqual(['new', 'mid', 'old']);
    const bytes = new Uint8Array(await (await db.getImage('x1'))!.blob.arrayBuffer());
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('updates a run in place under its id (the partial answer, then the final one)', async () => {
    const begun = record('r', 1000, []);
    await db.saveRun(begun);
    await db.saveRun(updateRecord(begun, { status: 'running', text: 'The', question: 'Q', summary: null, error: null }, 2000));
    await db.saveRun(updateRecord(begun, { status: 'stopped', text: 'The image', question: 'Q', summary: null, error: null }, 3000));
    const runs = await db.listRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'stopped', answer: 'The image', updatedAt: 3000 });
  });

  it('stores an image used by several runs once, and deletes it with the last run that uses it', async () => {
    await db.saveRun(record('one', 1, [image('a', 'shared'), image('b', 'only1')]), [stored('shared', [1]), stored('only1', [2])]);
    // The same picture again: the stored bytes stay those first saved.
    await db.saveRun(record('two', 2, [image('a', 'shared')]), [stored('shared', [9, 9])]);
    expect([...new Uint8Array(await (await db.getImage('shared'))!.blob.arrayBuffer())]).toEqual([1]);

    await db.deleteRun('one');
    expect(await db.getRun('one')).toBeUndefined();
    expect(await db.getImage('only1')).toBeUndefined();
    expect(await db.getImage('shared')).toBeDefined();

    await db.deleteRun('two');
    expect(await db.getImage('shared')).toBeUndefined();
    // Deleting what is gone is not an error.
    await db.deleteRun('two');
  });

  it('turns runs left running into interrupted stops on startup, keeping their partial answer', async () => {
    const begun = record('crashed', 1, []);
    await db.saveRun(updateRecord(begun, { status: 'running', text: 'Half an ans', question: 'Q', summary: null, error: null }, 5));
    await db.saveRun(updateRecord(record('fine', 2, []), { status: 'done', text: 'All', question: 'Q', summary: null, error: null }, 6));
    expect(await db.interruptRunning(100)).toBe(1);
    expect(await db.getRun('crashed')).toMatchObject({ status: 'stopped', interrupted: true, answer: 'Half an ans', updatedAt: 100 });
    expect(await db.getRun('fine')).toMatchObject({ status: 'done', interrupted: false, updatedAt: 6 });
    expect(await db.interruptRunning(200)).toBe(0);
  });

  it('leaves alone a run another open tab is still answering', async () => {
    const running = { status: 'running' as const, text: 'x', question: 'Q', summary: null, error: null };
    await db.saveRun(updateRecord(record('live', 1, []), running, 5));
    await db.saveRun(updateRecord(record('dead', 2, []), running, 5));
    expect(await db.interruptRunning(100, (id) => id === 'live')).toBe(1);
    expect((await db.getRun('live'))!.status).toBe('running');
    expect((await db.getRun('dead'))!.status).toBe('stopped');
    expect(await db.hasImage('nothing')).toBe(false);
  });

  it('reads the thumbnails of many images at once, skipping the missing and the undrawn', async () => {
    const thumbnail = new Blob([new Uint8Array([7])]);
    await db.saveRun(record('t', 1, [image('a', 'p'), image('b', 'q')]), [{ ...stored('p', [1]), thumbnail }, stored('q', [2])]);
    const thumbnails = await db.getThumbnails(['p', 'q', 'absent']);
    expect([...thumbnails.keys()]).toEqual(['p']);
    expect([...new Uint8Array(await thumbnails.get('p')!.arrayBuffer())]).toEqual([7]);
  });

  it('clears runs and images together', async () => {
    await db.saveRun(record('a', 1, [image('a', 's')]), [stored('s', [1])]);
    await db.clear();
    expect(await db.listRuns()).toEqual([]);
    expect(await db.getImage('s')).toBeUndefined();
  });
});
