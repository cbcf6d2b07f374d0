import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '../../converter/checkpoint/safetensorsWriter.ts';
import { embedderTokenizerConfigJson, embedderTokenizerJson, embedderVocabulary } from './embedderTokenizer.ts';
import { buildEmbedderGraph } from './embedderGraph.ts';
import { embedderConfigJson, embedderSources, sourceValues, TINY_EMBEDDER, type EmbedderShape } from './embedderWeights.ts';

/**
 * A tiny random sentence embedder in the folder layout transformers.js loads with
 * `pipeline('feature-extraction', dir)`: config.json, tokenizer.json, tokenizer_config.json and
 * onnx/model.onnx (weights inline). model.safetensors holds the same weights under BertModel's names, for
 * PyTorch references. It stands in for all-MiniLM-L6-v2 in tests of the detailed-answer confidence.
 */
export async function writeTinyEmbedder(dir: string, seed: number, shape: EmbedderShape = TINY_EMBEDDER): Promise<Array<{ path: string; bytes: number }>> {
  const vocab = embedderVocabulary().length;
  const sources = embedderSources(shape, vocab, seed);
  const values = new Map(sources.map((source) => [source.name, sourceValues(source)]));
  const weight = (name: string) => {
    const found = values.get(name);
    if (!found) throw new Error(`tiny embedder: no tensor ${name}`);
    return found;
  };
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(dir, 'config.json'), json(embedderConfigJson(shape, vocab)));
  await writeFile(join(dir, 'tokenizer.json'), json(embedderTokenizerJson(shape.maxPositions)));
  await writeFile(join(dir, 'tokenizer_config.json'), json(embedderTokenizerConfigJson(shape.maxPositions)));
  await writeSafetensors(join(dir, 'model.safetensors'), sources);
  const graph = buildEmbedderGraph(shape, vocab, weight);
  await writeFile(join(dir, 'onnx', 'model.onnx'), graph.toBytes({ opsets: [{ domain: '', version: 17 }] }));
  const files = ['model.safetensors', join('onnx', 'model.onnx')];
  return Promise.all(files.map(async (path) => ({ path, bytes: (await stat(join(dir, path))).size })));
}
