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
