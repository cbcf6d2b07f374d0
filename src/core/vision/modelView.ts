import type { ImageSlotId } from '../tasks.ts';
import { AppError } from '../errors.ts';
import { paddedSize, patchGrid, resizeTarget, type ImageSize, type ResizeRule } from './resizeRule.ts';

/** What the vision encoder receives of an image: the model's resize rule, then black padding to whole patches. */
export interface ModelView {
  /** The picture after the resize rule (unchanged for small images). */
  resized: ImageSize;
  /** The encoder's input: `resized` centred on black, a multiple of the patch a side. */
  padded: ImageSize;
  /** Patches per side of `padded`. */
  grid: ImageSize;
  /** True when the resize rule shrank the picture. */
  shrunk: boolean;
}

/** Throws IMAGE_TOO_SMALL for a picture so thin that the rule's resize would leave a side of 0 pixels. */
export function modelView(size: ImageSize, rule: ResizeRule): ModelView {
  const resized = resizeTarget(size, rule);
  const padded = paddedSize(resized, rule);
  return { resized, padded, grid: patchGrid(padded, rule), shrunk: resized.height !== size.height || resized.width !== size.width };
}

/**
 * One line for an image's caption: "shown to the model at 299×224 (padded to 308×224)". Sizes read width×height.
 * A picture this model cannot read (too thin for its rule) gets the reason instead.
 */
export function modelViewLine(size: ImageSize, rule: ResizeRule): string {
  let view: ModelView;
  try {
    view = modelView(size, rule);
  } catch (error) {
    if (error instanceof AppError && error.code === 'IMAGE_TOO_SMALL') return `this model cannot read it: ${error.message}`;
    throw error;
  }
  const shown = `${view.resized.width}×${view.resized.height}`;
  const padded = view.padded.width !== view.resized.width || view.padded.height !== view.resized.height;
  return `shown to the model at ${shown}${view.shrunk ? '' : ' (as is)'}${padded ? `, padded to ${view.padded.width}×${view.padded.height}` : ''}`;
}

const NAMES: Record<ImageSlotId, string> = { reference: 'the reference', a: 'A', b: 'B' };

/**
 * Warnings (never a block) for A and B whose size differs from the reference's: the model reads each image on
 * its own, so it can still compare them, but pixel-aligned measures cannot.
 */
export function sizeMismatchNotes(sizes: Partial<Record<ImageSlotId, ImageSize>>, rule: ResizeRule): string[] {
  const reference = sizes.reference;
  if (reference === undefined) return [];
  const notes: string[] = [];
  for (const slot of ['a', 'b'] as const) {
    const size = sizes[slot];
    if (size === undefined || (size.width === reference.width && size.height === reference.height)) continue;
    notes.push(
      `${NAMES[slot]} is ${size.width}×${size.height}, ${NAMES.reference} ${reference.width}×${reference.height}: ` +
        `the model judges each as it sees it (${NAMES[slot]} ${modelViewLine(size, rule)}), but the classic metrics and the difference view need equal sizes.`,
    );
  }
  return notes;
}
