import type { ImageSlotId } from '../../core/tasks.ts';

const REFERENCE_NAME = /^(ref|gt|reference)([^a-z]|$)/i;

/**
 * Where several files dropped on the page go: a file named like "ref*", "gt*" or "reference*" fills the
 * reference slot; the others fill A, then B, in the order given. Extra files are returned as unplaced.
 */
export function routeFiles<T extends { name: string }>(files: readonly T[]): { placed: [ImageSlotId, T][]; unplaced: T[] } {
  const placed: [ImageSlotId, T][] = [];
  const unplaced: T[] = [];
  const free: ImageSlotId[] = ['a', 'b'];
  let referenceTaken = false;
  for (const file of files) {
    if (!referenceTaken && REFERENCE_NAME.test(file.name)) {
      placed.push(['reference', file]);
      referenceTaken = true;
      continue;
    }
    const slot = free.shift();
    if (slot === undefined) unplaced.push(file);
    else placed.push([slot, file]);
  }
  return { placed, unplaced };
}
