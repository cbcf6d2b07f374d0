import { describe, expect, it } from 'vitest';
import { checkEmbedderJson, embedderPrefix, embedderRoot, embedderUrlFromQuery, missingEmbedderFiles, PUBLIC_EMBEDDER_URL } from './embedderFiles.ts';

describe('embedderPrefix', () => {
  it('ends a folder URL with one slash and drops the query', () => {
    expect(embedderPrefix('https://host/models/minilm')).toBe('https://host/models/minilm/');
    expect(embedderPrefix('https://host/models/minilm//?x=1#y')).toBe('https://host/models/minilm/');
  });

  it('resolves a relative URL against the page', () => {
    expect(embedderPrefix('embedder', 'http://127.0.0.1:4173/app/index.html')).toBe('http://127.0.0.1:4173/app/embedder/');
  });

  it('refuses what is not http(s), naming it', () => {
    expect(() => embedderPrefix('file:///tmp/x')).toThrow(/must start with https:\/\/ or http:\/\/ \(got file:\)/);
    expect(() => embedderPrefix('not a url')).toThrow(/"not a url" is not a URL/);
  });
});

describe('embedderUrlFromQuery', () => {
  it('prefers ?embedder=, then the build value, then the public model', () => {
    expect(embedderUrlFromQuery('?embedder=https%3A%2F%2Fa%2Fe%2F', 'https://b/')).toBe('https://a/e/');
    expect(embedderUrlFromQuery('?model=x', 'https://b/')).toBe('https://b/');
    expect(embedderUrlFromQuery('', undefined)).toBe(PUBLIC_EMBEDDER_URL);
    expect(embedderUrlFromQuery('?embedder=', '  ')).toBe(PUBLIC_EMBEDDER_URL);
  });
});

describe('embedderRoot', () => {
  it('finds the shallowest folder with config.json and onnx/model.onnx', () => {
    expect(embedderRoot(['e/config.json', 'e/onnx/model.onnx', 'e/tokenizer.json'])).toBe('e/');
    expect(embedderRoot(['config.json', 'onnx/model.onnx'])).toBe('');
    expect(embedderRoot(['top/x/config.json', 'top/x/onnx/model.onnx', 'top/config.json'])).toBe('top/x/');
  });

  it('is null when no folder has both files', () => {
    expect(embedderRoot(['e/config.json', 'f/onnx/model.onnx'])).toBeNull();
    expect(embedderRoot([])).toBeNull();
  });
});

describe('missingEmbedderFiles and checkEmbedderJson', () => {
  it('names the missing files and the folder', () => {
    expect(missingEmbedderFiles('x', [])).toBeNull();
    const error = missingEmbedderFiles('the folder "e"', ['tokenizer.json', 'onnx/model.onnx']);
    expect(error?.code).toBe('MODEL_LOAD_FAILED');
    expect(error?.message).toBe('the folder "e" is not a sentence model: it lacks tokenizer.json, onnx/model.onnx.');
  });

  it('names a file that is not a JSON object', () => {
    expect(() => checkEmbedderJson('config.json', '{"a":1}', 'here')).not.toThrow();
    expect(() => checkEmbedderJson('config.json', '<html>', 'https://h/e/')).toThrow(/^config\.json of the sentence model \(https:\/\/h\/e\/\) is not a JSON object/);
    expect(() => checkEmbedderJson('tokenizer.json', '[1]', 'here')).toThrow(/tokenizer\.json .* not a JSON object: not a JSON object/);
  });
});
