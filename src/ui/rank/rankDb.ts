import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { AppError } from '../../core/errors.ts';
import type { MethodsSession } from '../../core/methods/methodsSession.ts';
import type { RankSession } from '../../core/ranking/session.ts';

interface RankSchema extends DBSchema {
  sessions: { key: string; value: RankSession; indexes: { updatedAt: number } };
  /** Method comparisons in progress (the Methods mode), by key; their images are in `images` too. */
  methodRuns: { key: string; value: MethodsSession; indexes: { updatedAt: number } };
  /** The files of the sessions' images, by SHA-256: a reload finds them here, the user need not give them again. */
  images: { key: string; value: { sha256: string; blob: Blob } };
}

export const RANK_DB_NAME = 'depictqa-rankings';

/** Rankings and method comparisons in progress, and their images, in IndexedDB (as the history keeps runs): they survive a reload. */
export class RankDb {
  private constructor(private readonly db: IDBPDatabase<RankSchema>) {}

  static async open(name = RANK_DB_NAME): Promise<RankDb> {
    try {
      const db = await openDB<RankSchema>(name, 2, {
        upgrade(database, oldVersion) {
          if (oldVersion < 1) {
            database.createObjectStore('sessions', { keyPath: 'key' }).createIndex('updatedAt', 'updatedAt');
            database.createObjectStore('images', { keyPath: 'sha256' });
          }
          if (oldVersion < 2) database.createObjectStore('methodRuns', { keyPath: 'key' }).createIndex('updatedAt', 'updatedAt');
        },
      });
      return new RankDb(db);
    } catch (cause) {
      throw new AppError('STORAGE_UNAVAILABLE', `The rankings database (${name}) could not be opened.`, {
        hint: 'Rankings will not survive a reload. Private browsing or blocked site data can cause this; allow site data and reload.',
        cause,
      });
    }
  }

  /** Saves a session and the files it names that are not stored yet, in one transaction. */
  async save(session: RankSession, blobs: ReadonlyMap<string, Blob> = new Map()): Promise<void> {
    const tx = this.db.transaction(['sessions', 'images'], 'readwrite');
    const images = tx.objectStore('images');
    for (const [sha256, blob] of blobs) if ((await images.getKey(sha256)) === undefined) await images.put({ sha256, blob });
    await tx.objectStore('sessions').put(session);
    await tx.done;
  }

  get(key: string): Promise<RankSession | undefined> {
    return this.db.get('sessions', key);
  }

  /** The most recently updated session that did not finish, if any. */
  async latestUnfinished(): Promise<RankSession | undefined> {
    const sessions = await this.db.getAllFromIndex('sessions', 'updatedAt');
    return sessions.reverse().find((session) => !session.finished);
  }

  async image(sha256: string): Promise<Blob | undefined> {
    return (await this.db.get('images', sha256))?.blob;
  }

  /** Deletes a session, and the images no other session or method comparison names. */
  async delete(key: string): Promise<void> {
    const tx = this.db.transaction(['sessions', 'methodRuns', 'images'], 'readwrite');
    const sessions = tx.objectStore('sessions');
    const session = await sessions.get(key);
    if (session !== undefined) {
      await sessions.delete(key);
      const used = new Set<string>();
      for (const other of await sessions.getAll()) for (const image of [other.reference, ...other.candidates]) if (image !== null) used.add(image.sha256);
      for (const run of await tx.objectStore('methodRuns').getAll()) for (const image of methodsImages(run)) used.add(image.sha256);
      for (const image of [session.reference, ...session.candidates]) if (image !== null && !used.has(image.sha256)) await tx.objectStore('images').delete(image.sha256);
    }
    await tx.done;
  }

  /** Saves a method comparison and the files it names that are not stored yet, in one transaction. */
  async saveMethods(session: MethodsSession, blobs: ReadonlyMap<string, Blob> = new Map()): Promise<void> {
    const tx = this.db.transaction(['methodRuns', 'images'], 'readwrite');
    const images = tx.objectStore('images');
    for (const [sha256, blob] of blobs) if ((await images.getKey(sha256)) === undefined) await images.put({ sha256, blob });
    await tx.objectStore('methodRuns').put(session);
    await tx.done;
  }

  getMethods(key: string): Promise<MethodsSession | undefined> {
    return this.db.get('methodRuns', key);
  }

  async latestUnfinishedMethods(): Promise<MethodsSession | undefined> {
    const runs = await this.db.getAllFromIndex('methodRuns', 'updatedAt');
    return runs.reverse().find((run) => !run.finished);
  }

  /** Deletes a method comparison, and the images no ranking or other comparison names. */
  async deleteMethods(key: string): Promise<void> {
    const tx = this.db.transaction(['sessions', 'methodRuns', 'images'], 'readwrite');
    const runs = tx.objectStore('methodRuns');
    const run = await runs.get(key);
    if (run !== undefined) {
      await runs.delete(key);
      const used = new Set<string>();
      for (const other of await tx.objectStore('sessions').getAll()) for (const image of [other.reference, ...other.candidates]) if (image !== null) used.add(image.sha256);
      for (const other of await runs.getAll()) for (const image of methodsImages(other)) used.add(image.sha256);
      for (const image of methodsImages(run)) if (!used.has(image.sha256)) await tx.objectStore('images').delete(image.sha256);
    }
    await tx.done;
  }
}

function methodsImages(run: MethodsSession) {
  return run.ids.flatMap((entry) => [...(entry.reference === null ? [] : [entry.reference]), ...entry.outputs.map((o) => o.image)]);
}
