import type { Page } from '@playwright/test';
import { expect } from '../fixtures.ts';

/**
 * Opens another tab of the page's browser and holds there the Web Lock of the run saved first in `store` of the
 * page's database (`prefix` + its key), as a tab that is running it does. Returns how that tab lets go.
 */
export async function holdSavedRunLock(page: Page, store: 'rankings' | 'methodRuns', prefix: string): Promise<{ letGo(): Promise<void> }> {
  const other = await page.context().newPage();
  await other.goto('/');
  const lockName = await other.evaluate(
    async ({ database, store, prefix }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(database);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAllKeys();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return `${prefix}${String(keys[0])}`;
    },
    { database: 'depictqa', store, prefix },
  );
  await other.evaluate((name) => {
    void navigator.locks.request(name, () => new Promise<void>((resolve) => ((window as unknown as { letGo: () => void }).letGo = resolve)));
  }, lockName);
  await expect.poll(() => other.evaluate(async (name) => (await navigator.locks.query()).held?.some((lock) => lock.name === name), lockName)).toBe(true);
  return {
    async letGo() {
      await other.evaluate(() => (window as unknown as { letGo: () => void }).letGo());
      await other.close();
    },
  };
}
