import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { beginRecord, updateRecord, type HistoryImage, type HistoryRecord } from '../core/history/record.ts';
import type { MethodsSession } from '../core/methods/methodsSession.ts';
import type { RankSession, SavedImage } from '../core/ranking/session.ts';
import { AppDb, LEGACY_DB_NAMES, type StoredImage } from './appDb.ts';

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

let db: AppDb;
let dbCount = 0;

beforeEach(async () => {
  db = await AppDb.open(`app-test-${dbCount++}`);
});
afterEach(() => db.close());

describe('the history in the page database', () => {
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

  it('clears runs and their images together', async () => {
    await db.saveRun(record('a', 1, [image('a', 's')]), [stored('s', [1])]);
    await db.clearRuns();
    expect(await db.listRuns()).toEqual([]);
    expect(await db.getImage('s')).toBeUndefined();
  });
});

const saved = (sha256: string): SavedImage => ({ sha256, name: `${sha256}.png`, format: 'PNG', bytes: 1, width: 1, height: 1, exifRotated: false });

function ranking(key: string, reference: string | null, candidates: string[], finished = false, updatedAt = 1): RankSession {
  return { key, model: 'tiny|q4|wasm', mode: 'active', reference: reference === null ? null : saved(reference), candidates: candidates.map(saved), comparisons: [], finished, updatedAt };
}

function methods(key: string, reference: string, outputs: string[], finished = false): MethodsSession {
  return {
    key,
    model: 'tiny|q4|wasm',
    mode: 'active',
    methods: outputs.map((_, i) => `m${i}`),
    referenceFolder: 'ref',
    ids: [{ id: 'x', reference: saved(reference), outputs: outputs.map((sha256, i) => ({ method: `m${i}`, image: saved(sha256) })) }],
    missing: [],
    skipped: [],
    metrics: {},
    finished,
    updatedAt: 1,
  } as unknown as MethodsSession;
}

const blobs = (...sha256s: string[]) => new Map(sha256s.map((sha256) => [sha256, new Blob([new Uint8Array([sha256.length])])]));

describe('one image store for the history, the rankings and the method comparisons', () => {
  it('stores a photo used by a run and a ranking once, and keeps it until the last of them goes', async () => {
    await db.saveRun(record('run', 1, [image('reference', 'photo')]), [stored('photo', [1])]);
    await db.saveRanking(ranking('rank', 'photo', ['c1', 'c2']), blobs('photo', 'c1', 'c2'));
    await db.saveMethods(methods('cmp', 'photo', ['c2', 'o1']), blobs('photo', 'c2', 'o1'));
    expect([...new Uint8Array(await (await db.getImage('photo'))!.blob.arrayBuffer())]).toEqual([1]);

    await db.deleteRun('run');
    expect(await db.hasImage('photo')).toBe(true);
    await db.deleteRanking('rank');
    expect(await db.hasImage('photo')).toBe(true);
    expect(await db.hasImage('c1')).toBe(false);
    expect(await db.hasImage('c2')).toBe(true);
    await db.deleteMethods('cmp');
    for (const sha256 of ['photo', 'c2', 'o1']) expect(await db.hasImage(sha256)).toBe(false);
  });

  it('clearing the history keeps the images of a ranking in progress', async () => {
    await db.saveRanking(ranking('rank', null, ['c1', 'c2']), blobs('c1', 'c2'));
    await db.saveRun(record('run', 1, [image('a', 'c1'), image('b', 'solo')]), [stored('c1', [1]), stored('solo', [2])]);
    await db.clearRuns();
    expect(await db.hasImage('c1')).toBe(true);
    expect(await db.hasImage('solo')).toBe(false);
  });

  it('a ranking saved to the history later gives its stored image the thumbnail it lacked', async () => {
    await db.saveRanking(ranking('rank', null, ['c1', 'c2']), blobs('c1', 'c2'));
    expect((await db.getImage('c1'))!.thumbnail).toBeNull();
    await db.saveRun(record('run', 1, [image('a', 'c1')]), [{ ...stored('c1', [5]), thumbnail: new Blob([new Uint8Array([7])]) }]);
    const image1 = (await db.getImage('c1'))!;
    expect([...new Uint8Array(await image1.thumbnail!.arrayBuffer())]).toEqual([7]);
    expect([...new Uint8Array(await image1.blob.arrayBuffer())]).toEqual([2]);
  });

  it('finds the latest unfinished ranking and method comparison', async () => {
    await db.saveRanking(ranking('old', null, ['a', 'b'], false, 1));
    await db.saveRanking(ranking('done', null, ['a', 'b'], true, 3));
    await db.saveRanking(ranking('new', null, ['a', 'c'], false, 2));
    expect((await db.latestUnfinishedRanking())!.key).toBe('new');
    await db.saveMethods(methods('m', 'r', ['o']));
    expect((await db.latestUnfinishedMethods())!.key).toBe('m');
    expect(await db.getRanking('done')).toMatchObject({ finished: true });
  });
});

describe('the databases of earlier versions', () => {
  const legacy = { history: 'legacy-history', rankings: 'legacy-rankings' } as const;

  /** The two databases exactly as the previous version wrote them: the history (v1) and the rankings (v2). */
  async function writeLegacy(): Promise<void> {
    const history = await openDB(legacy.history, 1, {
      upgrade(database) {
        database.createObjectStore('runs', { keyPath: 'id' }).createIndex('startedAt', 'startedAt');
        database.createObjectStore('images', { keyPath: 'sha256' });
      },
    });
    await history.put('runs', updateRecord(record('saved', 5, [image('a', 'shared')]), { status: 'done', text: 'Sharp.', question: 'Q', summary: null, error: null }, 6));
    await history.put('images', { sha256: 'shared', blob: new Blob([new Uint8Array([1])]), thumbnail: new Blob([new Uint8Array([9])]) });
    history.close();
    const rankings = await openDB(legacy.rankings, 2, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore('sessions', { keyPath: 'key' }).createIndex('updatedAt', 'updatedAt');
          database.createObjectStore('images', { keyPath: 'sha256' });
        }
        if (oldVersion < 2) database.createObjectStore('methodRuns', { keyPath: 'key' }).createIndex('updatedAt', 'updatedAt');
      },
    });
    await rankings.put('sessions', ranking('rank', null, ['shared', 'other']));
    await rankings.put('methodRuns', methods('cmp', 'other', ['third']));
    for (const sha256 of ['shared', 'other', 'third']) await rankings.put('images', { sha256, blob: new Blob([new Uint8Array([2])]) });
    rankings.close();
  }

  it('copies the history, the rankings and the comparisons in on first open, one image store for all, then deletes them', async () => {
    await writeLegacy();
    const name = `app-migrated-${dbCount++}`;
    const app = await AppDb.open(name, legacy);
    expect((await app.listRuns()).map((run) => [run.id, run.answer])).toEqual([['saved', 'Sharp.']]);
    expect(await app.getRanking('rank')).toMatchObject({ candidates: [{ sha256: 'shared' }, { sha256: 'other' }] });
    expect(await app.latestUnfinishedMethods()).toMatchObject({ key: 'cmp' });
    // The history's copy of the shared photo wins, with its thumbnail; the others come from the rankings.
    const shared = (await app.getImage('shared'))!;
    expect([...new Uint8Array(await shared.blob.arrayBuffer())]).toEqual([1]);
    expect(shared.thumbnail).not.toBeNull();
    expect((await app.getImage('third'))!.thumbnail).toBeNull();
    await expect.poll(async () => (await indexedDB.databases()).map((database) => database.name).filter((n) => n?.startsWith('legacy-'))).toEqual([]);
    app.close();

    // Opened again: nothing is copied twice, nothing is lost.
    const again = await AppDb.open(name, legacy);
    expect(await again.listRuns()).toHaveLength(1);
    again.close();
  });

  it('opens with nothing to copy on a fresh browser', async () => {
    const app = await AppDb.open(`app-fresh-${dbCount++}`, legacy);
    expect(await app.listRuns()).toEqual([]);
    app.close();
  });

  it('names the databases the previous version wrote', () => {
    expect(LEGACY_DB_NAMES).toEqual({ history: 'depictqa-history', rankings: 'depictqa-rankings' });
  });
});
