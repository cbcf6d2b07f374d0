import { describe, expect, it } from 'vitest';
import { bundleFileUrl, normalizeBundleUrl } from './bundleUrl.ts';

describe('normalizeBundleUrl', () => {
  it('ends a folder URL with one slash, with or without one given', () => {
    expect(normalizeBundleUrl('https://example.org/models/tiny')).toBe('https://example.org/models/tiny/');
    expect(normalizeBundleUrl('  https://example.org/models/tiny/ ')).toBe('https://example.org/models/tiny/');
  });

  it('takes the manifest URL for its folder', () => {
    expect(normalizeBundleUrl('https://example.org/b/manifest.json')).toBe('https://example.org/b/');
  });

  it("turns a Hugging Face page into its download path, and leaves other hosts' /tree/ alone", () => {
    expect(normalizeBundleUrl('https://huggingface.co/me/depictqa-web/tree/main')).toBe('https://huggingface.co/me/depictqa-web/resolve/main/');
    expect(normalizeBundleUrl('https://huggingface.co/me/depictqa-web/blob/v1/manifest.json')).toBe('https://huggingface.co/me/depictqa-web/resolve/v1/');
    expect(normalizeBundleUrl('https://example.org/me/repo/tree/main')).toBe('https://example.org/me/repo/tree/main/');
  });

  it('resolves a relative URL against the page and drops a fragment', () => {
    expect(normalizeBundleUrl('bundles/tiny#x', 'http://127.0.0.1:4173/app/')).toBe('http://127.0.0.1:4173/app/bundles/tiny/');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => normalizeBundleUrl('not a url')).toThrow(/"not a url" is not a URL/);
    expect(() => normalizeBundleUrl('file:///home/me/bundle')).toThrow(/must start with https:\/\/ or http:\/\//);
  });
});

describe('bundleFileUrl', () => {
  it('escapes each path segment and keeps the folder query', () => {
    expect(bundleFileUrl('https://example.org/b/', 'onnx/decoder model_q4.onnx')).toBe('https://example.org/b/onnx/decoder%20model_q4.onnx');
    expect(bundleFileUrl('https://example.org/b/?token=abc', 'tokenizer.json')).toBe('https://example.org/b/tokenizer.json?token=abc');
  });
});
