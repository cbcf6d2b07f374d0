import { describe, expect, it } from 'vitest';
import { imageFacts } from './imageFacts.ts';

describe('imageFacts', () => {
  it('keeps the facts of an image and drops what it carries beside them', () => {
    const slotImage = { id: 'ab'.repeat(32), name: 'a.png', format: 'PNG', bytes: 1234, width: 70, height: 84, exifRotated: true, blob: new Blob(), previewUrl: 'blob:x' };
    expect(imageFacts(slotImage)).toStrictEqual({ name: 'a.png', format: 'PNG', bytes: 1234, width: 70, height: 84, exifRotated: true });
  });
});
