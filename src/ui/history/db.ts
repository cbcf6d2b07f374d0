import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { AppError } from '../../core/errors.ts';
import { interruptRecord, type HistoryRecord } from '../../core/history/record.ts';

/** A picture a saved run used: stored once per distinct file, however many runs used it. */
export interface StoredImage {
  sha256: string;
  /** The original file, byte for byte (the model must see the same pixels when the run is opened again). */
  blob: Blob;
  /** A small preview for the list; null when this browser could not draw one. */
  thumbnail: Blob | null;
}

interface HistorySchema extends DBSchema {
  runs: { key: string; value: HistoryRecord; indexes: { startedAt: number } };
  images: { key: string; value: StoredImage };
}

export const HISTORY_DB_NAME = 'depictqa-history';

/**
 * The history's IndexedDB: runs by id, images by sha256. Every write is its own transaction, so a page that
 * closes mid-answer leaves the last saved state whole.
 */
export class HistoryDb {
  private constructor(private readonly db: IDBPDatabase<HistorySchema>) {}

  static async open(name = HISTORY_DB_NAME): Promise<HistoryDb> {
    try {
      const db = await openDB<HistorySchema>(name, 1, {
        upgrade(database) {
          const runs = database.createObjectStore('runs', { keyPath: 'id' });
          runs.createIndex('startedAt', 'startedAt');
          database.createObjectStore('images', { keyPath: 'sha256' });
        },
      });
      return new HistoryDb(db);
    } catch (cause) {
      throw new AppError('STORAGE_UNAVAILABLE', `The run history database (${name}) could not be opened.`, {
        hint: 'Runs will not be saved. Private browsing or blocked site data can cause this; allow site data and reload.',
        cause,
      });
    }
  }

  /** Saves a run and the images it used; an image already stored (same sha256) is not written again. */
  async saveRun(record: HistoryRecord, images: readonly StoredImage[] = []): Promise<void> {
    await guardQuota(async () => {
      const tx = this.db.transaction(['runs', 'images'], 'readwrite');
      const imageStore = tx.objectStore('images');
      for (const image of images) {
        if ((await imageStore.getKey(image.sha256)) === undefined) await imageStore.put(image);
      }
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

  getImage(sha256: string): Promise<StoredImage | undefined> {
    return this.db.get('images', sha256);
  }

  /** The list thumbnails of these images, in one transaction (a long history opens in one round of reads). */
  async getThumbnails(sha256s: readonly string[]): Promise<Map<string, Blob>> {
    const tx = this.db.transaction('images', 'readonly');
    const images = await Promise.all([...sha256s.map((sha256) => tx.store.get(sha256)), tx.done]);
    const thumbnails = new Map<string, Blob>();
    for (const image of images) if (image?.thumbnail != null) thumbnails.set(image.sha256, image.thumbnail);
    return thumbnails;
  }

  async hasImage(sha256: string): Promise<boolean> {
    return (await this.db.getKey('images', sha256)) !== undefined;
  }

  /** Deletes a run, and the images no other run uses. */
  async deleteRun(id: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'images'], 'readwrite');
    const runs = tx.objectStore('runs');
    const record = await runs.get(id);
    if (record !== undefined) {
      await runs.delete(id);
      const stillUsed = new Set<string>();
      for (const other of await runs.getAll()) for (const image of other.images) stillUsed.add(image.sha256);
      for (const image of record.images) {
        if (!stillUsed.has(image.sha256)) await tx.objectStore('images').delete(image.sha256);
      }
    }
    await tx.done;
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(['runs', 'images'], 'readwrite');
    await Promise.all([tx.objectStore('runs').clear(), tx.objectStore('images').clear(), tx.done]);
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

  close(): void {
    this.db.close();
  }
}

async function guardQuota(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'QuotaExceededError') {
      throw new AppError('STORAGE_QUOTA_EXCEEDED', 'The run history is out of storage space: this run was not saved.', {
        hint: 'Delete old runs from the history (or all of them) and run again.',
        cause,
      });
    }
    throw cause;
  }
}
