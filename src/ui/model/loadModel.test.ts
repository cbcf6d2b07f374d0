import { describe, expect, it } from 'vitest';
import { folderLabel } from './folderLabel.ts';
import { folderSource, modelUrlFromQuery } from './loadModel.ts';

describe('model sources', () => {
  it('keeps the folder paths beside the files, since webkitRelativePath does not reach the worker', () => {
    const file = new File(['{}'], 'manifest.json');
    Object.defineProperty(file, 'webkitRelativePath', { value: 'tiny-bundle/manifest.json' });
    expect(folderSource([file])).toEqual({ kind: 'files', files: [{ path: 'tiny-bundle/manifest.json', file }] });
    expect(folderLabel([file])).toBe('tiny-bundle');
  });

  it('reads the default URL from ?model= and invents none', () => {
    expect(modelUrlFromQuery('?model=https%3A%2F%2Fexample.org%2Fbundle%2F')).toBe('https://example.org/bundle/');
    expect(modelUrlFromQuery('?other=1')).toBe('');
    // A deployment's built-in bundle URL is the default; the query parameter still wins.
    expect(modelUrlFromQuery('?other=1', 'https://example.org/built/')).toBe('https://example.org/built/');
    expect(modelUrlFromQuery('?model=https%3A%2F%2Fexample.org%2Fq%2F', 'https://example.org/built/')).toBe('https://example.org/q/');
  });
});
