import { describe, expect, it } from 'vitest';
import { embedderFolderFromFiles } from './embedderFolder.ts';

const file = (text: string) => new File([text], 'x');

describe('embedderFolderFromFiles', () => {
  it('serves the files of the folder that holds config.json and onnx/model.onnx, by their paths in it', async () => {
    const folder = embedderFolderFromFiles([
      { path: 'models/minilm/config.json', file: file('{"a":1}') },
      { path: 'models/minilm/onnx/model.onnx', file: file('onnx') },
      { path: 'models/minilm/tokenizer.json', file: file('{}') },
      { path: 'models/readme.txt', file: file('r') },
    ]);
    expect(folder.label).toBe('minilm');
    expect(folder.cacheKey).toBeNull();
    expect(await (await folder.file('config.json'))!.text()).toBe('{"a":1}');
    expect(await (await folder.file('onnx/model.onnx'))!.text()).toBe('onnx');
    expect(await folder.file('tokenizer_config.json')).toBeNull();
  });

  it('names what a folder without the model lacks', () => {
    expect(() => embedderFolderFromFiles([{ path: 'bundle/manifest.json', file: file('{}') }, { path: 'bundle/tokenizer.json', file: file('{}') }])).toThrow(
      'The chosen folder "bundle" holds no sentence model: no folder in it has both config.json and onnx/model.onnx (missing: config.json, tokenizer_config.json, onnx/model.onnx).',
    );
  });
});
