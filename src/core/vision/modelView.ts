import type { ImageSlotId } from '../tasks.ts';
import { paddedSize, patchGrid, resizeTarget, type ImageSize } from './resizeRule.ts';

/** What the vision encoder receives of an image: DepictQA's resize, then black padding to whole patches. */
export interface ModelView {
  /** The picture after the resize rule (unchanged for small images). */
  resized: ImageSize;
  /** The encoder's input: `resized` centred on black, a multiple of 14 pixels a side. */
  padded: ImageSize;
  /** Patches per side of `padded`. */
  grid: ImageSize;
  /** True when the resize rule shrank the picture. */
  shrunk: boolean;
}

export function modelView(size: ImageSize): ModelView {
  const resized = resizeTarget(size);
  const padded = paddedSize(resized);
  return { resized, padded, grid: patchGrid(padded), shrunk: resized.height !== size.height || resized.width !== size.width };
}

/** One line for an image's caption: "shown to the model at 299×224 (padded to 308×224)". Sizes read width×height. */
export function modelViewLine(size: ImageSize): string {
  const view = modelView(size);
  const shown = `${view.resized.width}×${view.resized.height}`;
  const padded = view.padded.width !== view.resized.width || view.padded.height !== view.resized.height;
  return `shown to the model at ${shown}${view.shrunk ? '' : ' (as is)'}${padded ? `, padded to ${view.padded.width}×${view.padded.height}` : ''}`;
}

const NAMES: Record<ImageSlotId, string> = { reference: 'the reference', a: 'A', b: 'B' };

/**
 * Warnings (never a block) for A and B whose size differs from the reference's: the model reads each image on
 * its own, so it can still compare them, but pixel-aligned measures cannot.
 */
export function sizeMismatchNotes(sizes: Partial<Record<ImageSlotId, ImageSize>>): string[] {
  const reference = sizes.reference;
  if (reference === undefined) return [];
  const notes: string[] = [];
  for (const slot of ['a', 'b'] as const) {
    const size = sizes[slot];
    if (size === undefined || (size.width === reference.width && size.height === reference.height)) continue;
    notes.push(
      `${NAMES[slot]} is ${size.width}×${size.height}, ${NAMES.reference} ${reference.width}×${reference.height}: ` +
        `the model judges each as it sees it (${NAMES[slot]} ${modelViewLine(size)}), but the classic metrics and the difference view need equal sizes.`,
    );
  }
  return notes;
}
