import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { AppError } from '../core/errors.ts';
import { interruptRecord, type HistoryRecord } from '../core/history/record.ts';
import type { MethodsSession } from '../core/methods/methodsSession.ts';
import type { RankSession } from '../core/ranking/session.ts';

/** A picture a saved run, ranking or method comparison used: stored once per distinct file, however many use it. */
export interface StoredImage {
  sha256: string;
  /** The original file, byte for byte (the model must see the same pixels when the run is opened again). */
  blob: Blob;
  /** A small preview for the history list; null when this browser could not draw one, or none was asked for. */
  thumbnail: Blob | null;
}

interface AppSchema extends DBSchema {
  /** The history: every answer, ranking and method comparison saved, by id. */
  runs: { key: string; value: HistoryRecord; indexes: { startedAt: number } };
  /** Rankings in progress (Rank mode), by key: a reload resumes them. */
  rankings: { key: string; value: RankSession; indexes: { updatedAt: number } };
  /** Method comparisons in progress (Methods mode), by key. */
  methodRuns: { key: string; value: MethodsSession; indexes: { updatedAt: number } };
  /** The files of all of the above, by SHA-256. */
  images: { key: string; value: StoredImage };
  /** Facts about the database itself: `migrated` once the two earlier databases were copied in. */
  meta: { key: string; value: unknown };
}

type Store = StoreNames<AppSchema>;
type SessionStore = 'rankings' | 'methodRuns';
/** The stores whose records name images. */
type RecordStore = 'runs' | SessionStore;
type WriteTx = IDBPTransaction<AppSchema, Store[], 'readwrite'>;

export const APP_DB_NAME = 'depictqa';

/** The databases of earlier versions, copied into this one on first open and then deleted. */
export const LEGACY_DB_NAMES: LegacyNames = { history: 'depictqa-history', rankings: 'depictqa-rankings' };

export interface LegacyNames {
  history: string;
  rankings: string;
}

/**
 * The page's one IndexedDB database: the history's runs, the rankings and method comparisons in progress, and one
 * store of their images by SHA-256, so a photo used by a run and a ranking is stored once. Every write is its own
 * transaction, so a page that closes mid-answer leaves the last saved state whole; an image goes with the last
 * record that names it.
 */
export class AppDb {
  private constructor(private readonly db: IDBPDatabase<AppSchema>) {}

  static async open(name = APP_DB_NAME, legacy: LegacyNames | null = name === APP_DB_NAME ? LEGACY_DB_NAMES : null): Promise<AppDb> {
    let db: IDBPDatabase<AppSchema>;
    try {
      db = await openDB<AppSchema>(name, 1, {
        upgrade(database) {
          database.createObjectStore('runs', { keyPath: 'id' }).createIndex('startedAt', 'startedAt');
          database.createObjectStore('rankings', { keyPath: 'key' }).createIndex('updatedAt', 'updatedAt');
          database.createObjectStore('methodRuns', { keyPath: 'key' }).createIndex('updatedAt', 'updatedAt');
          database.createObjectStore('images', { keyPath: 'sha256' });
          database.createObjectStore('meta');
        },
      });
    } catch (cause) {
      throw new AppError('STORAGE_UNAVAILABLE', `The page's database (${name}) could not be opened.`, {
        hint: 'Runs, rankings and comparisons will not be saved. Private browsing or blocked site data can cause this; allow site data and reload.',
        cause,
      });
    }
    const app = new AppDb(db);
    if (legacy !== null) await app.migrate(legacy);
    return app;
  }

  // ── History ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Saves a run and the images it used; an image already stored (same sha256) is not written again. */
  async saveRun(record: HistoryRecord, images: readonly StoredImage[] = []): Promise<void> {
    await guardQuota(async () => {
      const tx = this.db.transaction(['runs', 'images'], 'readwrite');
      await putImages(tx, images);
      await tx.objectStore('runs').put(record);
      await tx.done;
    });
  }

  /** Newest first. */
  async listRuns(): Promise<HistoryRecord[]> {
    return (await this.db.getAllFromIndex('runs', 'startedAt')).reverse();
  }

  getRun(id: string): Promise<HistoryRecord | undefined> {
    return this.db.get('runs', id);
  }

  /** Deletes a run, and the images nothing else names. */
  deleteRun(id: string): Promise<void> {
    return this.deleteRecord('runs', id);
  }

  /** Deletes every run, and the images no ranking or comparison in progress names. */
  async clearRuns(): Promise<void> {
    const tx = this.db.transaction(['runs', 'rankings', 'methodRuns', 'images'], 'readwrite');
    const named = (await tx.objectStore('runs').getAll()).flatMap(imagesOf.runs);
    await tx.objectStore('runs').clear();
    await dropUnused(tx, named);
    await tx.done;
  }

  /**
   * Runs still marked running belong to a page that closed or crashed mid-answer (this page has not started
   * one yet): they become stopped and interrupted, except those `isLive` says another open tab is answering.
   * Returns how many.
   */
  async interruptRunning(now: number, isLive: (id: string) => boolean = () => false): Promise<number> {
    const tx = this.db.transaction('runs', 'readwrite');
    let count = 0;
    for await (const cursor of tx.store) {
      if (cursor.value.status === 'running' && !isLive(cursor.value.id)) {
        await cursor.update(interruptRecord(cursor.value, now));
        count += 1;
      }
    }
    await tx.done;
    return count;
  }

  // ── Images ───────────────────────────────────────────────────────────────────────────────────────────────

  getImage(sha256: string): Promise<StoredImage | undefined> {
    return this.db.get('images', sha256);
  }

  async hasImage(sha256: string): Promise<boolean> {
    return (await this.db.getKey('images', sha256)) !== undefined;
  }

  /** The list thumbnails of these images, in one transaction (a long history opens in one round of reads). */
  async getThumbnails(sha256s: readonly string[]): Promise<Map<string, Blob>> {
    const tx = this.db.transaction('images', 'readonly');
    const images = await Promise.all([...sha256s.map((sha256) => tx.store.get(sha256)), tx.done]);
    const thumbnails = new Map<string, Blob>();
    for (const image of images) if (image?.thumbnail != null) thumbnails.set(image.sha256, image.thumbnail);
    return thumbnails;
  }

  // ── Rankings and method comparisons in progress ──────────────────────────────────────────────────────────

  /** Saves a ranking and the files it names that are not stored yet, in one transaction. */
  saveRanking(session: RankSession, blobs: ReadonlyMap<string, Blob> = new Map()): Promise<void> {
    return this.saveSession('rankings', session, blobs);
  }

  getRanking(key: string): Promise<RankSession | undefined> {
    return this.db.get('rankings', key);
  }

  /** The most recently updated ranking that did not finish, if any. */
  latestUnfinishedRanking(): Promise<RankSession | undefined> {
    return this.latestUnfinished('rankings');
  }

  /** Deletes a ranking, and the images nothing else names. */
  deleteRanking(key: string): Promise<void> {
    return this.deleteRecord('rankings', key);
  }

  /** Saves a method comparison and the files it names that are not stored yet, in one transaction. */
  saveMethods(session: MethodsSession, blobs: ReadonlyMap<string, Blob> = new Map()): Promise<void> {
    return this.saveSession('methodRuns', session, blobs);
  }

  getMethods(key: string): Promise<MethodsSession | undefined> {
    return this.db.get('methodRuns', key);
  }

  latestUnfinishedMethods(): Promise<MethodsSession | undefined> {
    return this.latestUnfinished('methodRuns');
  }

  /** Deletes a method comparison, and the images nothing else names. */
  deleteMethods(key: string): Promise<void> {
    return this.deleteRecord('methodRuns', key);
  }

  private async saveSession<S extends SessionStore>(store: S, session: AppSchema[S]['value'], blobs: ReadonlyMap<string, Blob>): Promise<void> {
    await guardQuota(async () => {
      const tx = this.db.transaction([store, 'images'], 'readwrite');
      await putImages(tx as unknown as WriteTx, withoutThumbnails(blobs));
      await tx.objectStore(store).put(session);
      await tx.done;
    });
  }

  private async latestUnfinished<S extends SessionStore>(store: S): Promise<AppSchema[S]['value'] | undefined> {
    return (await this.db.getAllFromIndex(store, 'updatedAt')).reverse().find((session) => !session.finished);
  }

  /** Deletes one record, and the images no other record names. */
  private async deleteRecord(store: RecordStore, key: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'rankings', 'methodRuns', 'images'], 'readwrite');
    const record = await tx.objectStore(store).get(key);
    if (record !== undefined) {
      await tx.objectStore(store).delete(key);
      await dropUnused(tx, imagesOf[store](record as never));
    }
    await tx.done;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Copies the history and the rankings databases of earlier versions in, in one transaction that also marks the
   * copy done (a page closed midway copies again next time), then deletes them. Their images meet in one store.
   */
  private async migrate(legacy: LegacyNames): Promise<void> {
    if ((await this.db.get('meta', 'migrated')) === true) return void deleteLegacy(legacy);
    const history = await readLegacy(legacy.history, ['runs', 'images']);
    const rankings = await readLegacy(legacy.rankings, ['sessions', 'methodRuns', 'images']);
    const tx = this.db.transaction(['runs', 'rankings', 'methodRuns', 'images', 'meta'], 'readwrite');
    for (const record of history.runs ?? []) await tx.objectStore('runs').put(record as HistoryRecord);
    for (const session of rankings.sessions ?? []) await tx.objectStore('rankings').put(session as RankSession);
    for (const run of rankings.methodRuns ?? []) await tx.objectStore('methodRuns').put(run as MethodsSession);
    const images = [...(history.images ?? []), ...(rankings.images ?? [])] as Array<{ sha256: string; blob: Blob; thumbnail?: Blob | null }>;
    await putImages(tx, images.map((image) => ({ sha256: image.sha256, blob: image.blob, thumbnail: image.thumbnail ?? null })));
    await tx.objectStore('meta').put(true, 'migrated');
    await tx.done;
    void deleteLegacy(legacy);
  }
}

/** Every record store's images: what keeps an image stored. */
async function namedImages(tx: WriteTx): Promise<Set<string>> {
  const named = new Set<string>();
  for (const store of ['runs', 'rankings', 'methodRuns'] as const) {
    for (const record of await tx.objectStore(store).getAll()) for (const sha256 of imagesOf[store](record as never)) named.add(sha256);
  }
  return named;
}

/** Deletes the images among `candidates` that no record names any more. */
async function dropUnused(tx: WriteTx, candidates: Iterable<string>): Promise<void> {
  const named = await namedImages(tx);
  for (const sha256 of new Set(candidates)) if (!named.has(sha256)) await tx.objectStore('images').delete(sha256);
}

/** Stores the images not stored yet; one stored without a thumbnail gets the one given now. */
async function putImages(tx: IDBPTransaction<AppSchema, Store[], 'readwrite'>, images: Iterable<StoredImage>): Promise<void> {
  const store = tx.objectStore('images');
  for (const image of images) {
    const stored = await store.get(image.sha256);
    if (stored === undefined) await store.put(image);
    else if (stored.thumbnail === null && image.thumbnail !== null) await store.put({ ...stored, thumbnail: image.thumbnail });
  }
}

function withoutThumbnails(blobs: ReadonlyMap<string, Blob>): StoredImage[] {
  return [...blobs].map(([sha256, blob]) => ({ sha256, blob, thumbnail: null }));
}

/** The images each kind of record names. */
const imagesOf: { [S in RecordStore]: (record: AppSchema[S]['value']) => string[] } = {
  runs: (record) => record.images.map((image) => image.sha256),
  rankings: rankingImages,
  methodRuns: methodsImages,
};

function rankingImages(session: RankSession): string[] {
  return [session.reference, ...session.candidates].flatMap((image) => (image === null ? [] : [image.sha256]));
}

function methodsImages(run: MethodsSession): string[] {
  return run.ids.flatMap((entry) => [...(entry.reference === null ? [] : [entry.reference.sha256]), ...entry.outputs.map((o) => o.image.sha256)]);
}

/** All records of the named stores of an earlier database; nothing when it does not exist. */
async function readLegacy(name: string, stores: readonly string[]): Promise<Record<string, unknown[]>> {
  if (!(await legacyExists(name))) return {};
  const db = await openDB(name);
  try {
    const out: Record<string, unknown[]> = {};
    for (const store of stores) if (db.objectStoreNames.contains(store)) out[store] = await db.getAll(store);
    return out;
  } finally {
    db.close();
  }
}

async function legacyExists(name: string): Promise<boolean> {
  return (await indexedDB.databases()).some((database) => database.name === name);
}

/** Deletes the earlier databases; one that another tab of an older version still has open goes once it closes. */
async function deleteLegacy(legacy: LegacyNames): Promise<void> {
  for (const name of Object.values(legacy)) if (await legacyExists(name)) await deleteDB(name).catch(() => undefined);
}

async function guardQuota(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'QuotaExceededError') {
      throw new AppError('STORAGE_QUOTA_EXCEEDED', 'The browser storage of this site is full: this was not saved.', {
        hint: 'Delete old runs from the history (or all of them) and try again.',
        cause,
      });
    }
    throw cause;
  }
}

let opened: Promise<AppDb> | null = null;

/** The page's database, opened (and the earlier databases copied in) on first use. */
export function appDb(): Promise<AppDb> {
  opened ??= AppDb.open();
  return opened;
}
