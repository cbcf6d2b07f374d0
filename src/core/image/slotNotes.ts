/** What a slot knows of its file that changes what the model is fed. */
export interface ModelInputFacts {
  /** The file asks viewers to rotate or mirror it (EXIF orientation 2–8). */
  exifRotated: boolean;
  /** A PNG with 16 bits per sample. */
  sixteenBit?: boolean;
}

export const EXIF_NOTE = 'Shown rotated; the model sees it as stored, like DepictQA.';
export const SIXTEEN_BIT_NOTE =
  '16-bit PNG, reduced to 8 bits: the model sees the high byte of each sample (DepictQA’s PIL would clip a 16-bit grey PNG to near white).';

/**
 * The lines under a slot that say where the model's input differs from what the page shows or from DepictQA's
 * own reading of the file. The model is fed the stored orientation, as PIL's convert("RGB") reads it; the preview
 * follows the EXIF tag, as every viewer does. 16-bit samples are reduced by the browser (the high byte), where PIL
 * clips 16-bit grey to 255: copying that clipping would feed the model a white picture.
 */
export function modelInputNotes(facts: ModelInputFacts): string[] {
  const notes: string[] = [];
  if (facts.exifRotated) notes.push(EXIF_NOTE);
  if (facts.sixteenBit === true) notes.push(SIXTEEN_BIT_NOTE);
  return notes;
}
