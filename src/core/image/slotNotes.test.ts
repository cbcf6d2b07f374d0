import { describe, expect, it } from 'vitest';
import { EXIF_NOTE, modelInputNotes, SIXTEEN_BIT_NOTE } from './slotNotes.ts';

describe('modelInputNotes', () => {
  it('says nothing for a plain 8-bit file stored upright', () => {
    expect(modelInputNotes({ exifRotated: false })).toEqual([]);
  });
  it('says that an EXIF-rotated file is shown rotated and fed as stored', () => {
    expect(modelInputNotes({ exifRotated: true })).toEqual([EXIF_NOTE]);
    expect(EXIF_NOTE).toMatch(/model sees it as stored/);
  });
  it('says that a 16-bit PNG is reduced to 8 bits, and both notes when both apply', () => {
    expect(modelInputNotes({ exifRotated: true, sixteenBit: true })).toEqual([EXIF_NOTE, SIXTEEN_BIT_NOTE]);
    expect(SIXTEEN_BIT_NOTE).toMatch(/^16-bit PNG, reduced to 8 bits/);
  });
});
