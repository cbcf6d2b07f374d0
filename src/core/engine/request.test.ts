import { describe, expect, it } from 'vitest';
import { checkRequest } from './request.ts';

describe('checkRequest', () => {
  it('keeps the slots the task shows, the reference deciding the prompt kind', () => {
    expect(checkRequest({ task: 'description', images: { a: 'A1', b: 'B1' } })).toEqual({ task: 'description', hasReference: false, images: { a: 'A1' } });
    expect(checkRequest({ task: 'reasoning', images: { reference: 'R', a: 'A1', b: 'B1' } })).toEqual({
      task: 'reasoning',
      hasReference: true,
      images: { reference: 'R', a: 'A1', b: 'B1' },
    });
  });

  it('names the missing images', () => {
    expect(() => checkRequest({ task: 'comparison', images: {} })).toThrow(
      expect.objectContaining({ code: 'IMAGE_MISSING', message: 'The comparison task needs Image A and Image B.' }),
    );
    expect(() => checkRequest({ task: 'distortion', images: { a: '' } })).toThrow(
      expect.objectContaining({ code: 'IMAGE_MISSING', message: 'The distortion identification task needs Image A.' }),
    );
  });

  it('refuses an unknown task and an empty reference id', () => {
    expect(() => checkRequest({ task: 'rate' as never, images: { a: 'A' } })).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => checkRequest({ task: 'description', images: { a: 'A', reference: '' } })).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  });
});

describe('checkRequest with image bytes', () => {
  it('takes a file’s bytes where an id would do, and refuses an object without bytes', () => {
    const a = { name: 'a.png', bytes: new Uint8Array([1, 2]) };
    expect(checkRequest({ task: 'description', images: { a, reference: 'R' } })).toEqual({ task: 'description', hasReference: true, images: { a, reference: 'R' } });
    expect(() => checkRequest({ task: 'description', images: { a: { name: 'a.png' } as never } })).toThrow(expect.objectContaining({ code: 'IMAGE_MISSING' }));
    expect(() => checkRequest({ task: 'description', images: { a, reference: { bytes: 'x' } as never } })).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  });
});
