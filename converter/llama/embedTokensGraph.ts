/**
 * `embed_tokens_<variant>.onnx`: input_ids [batch, seq] int64 → inputs_embeds [batch, seq, hidden]. One Gather
 * (plus a Cast when the table is stored narrower than the activations); the engine runs it on the CPU so that
 * splicing image rows between token rows needs no GPU round trip.
 */
import { llamaNames, type LlamaConfig } from '../checkpoint/llamaConfig.ts';
import { attr } from '../onnx/GraphBuilder.ts';
import { ModelWriter, type WrittenGraph } from '../onnx/ModelWriter.ts';
import type { ExternalDataOptions } from '../onnx/ExternalDataWriter.ts';
import { toFloat16Bits } from '../onnx/float16.ts';
import type { WeightReader } from './decoderGraph.ts';
import { embedTokensFileName, variantSpecs, type LlamaVariant } from './variants.ts';

export const EMBED_TOKENS_OPSETS = [{ domain: '', version: 17 }];

export async function writeEmbedTokens(
  variant: LlamaVariant,
  config: LlamaConfig,
  dir: string,
  read: WeightReader,
  options: ExternalDataOptions = {},
): Promise<WrittenGraph> {
  const { embedTable, activation } = variantSpecs[variant];
  const { vocab_size: vocab, hidden_size: hidden } = config;
  return new ModelWriter(dir, embedTokensFileName(variant), 'embed_tokens', options).building(async (writer) => {
    const g = writer.graph;
    g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    g.output('inputs_embeds', activation, ['batch_size', 'sequence_length', hidden]);
    const table = await read(llamaNames.embedTokens); // [vocab, hidden]
    const stored = embedTable === 'float16' ? toFloat16Bits(table) : table;
    const weight = await writer.weight('embed_tokens.weight', embedTable, [vocab, hidden], stored);
    if (embedTable === activation) {
      g.node('Gather', [weight, 'input_ids'], ['inputs_embeds'], { name: 'embed_tokens/Gather', attributes: { axis: attr.int(0) } });
    } else {
      g.node('Gather', [weight, 'input_ids'], ['rows'], { name: 'embed_tokens/Gather', attributes: { axis: attr.int(0) } });
      g.node('Cast', ['rows'], ['inputs_embeds'], { name: 'embed_tokens/Cast', attributes: { to: attr.int(activation === 'float32' ? 1 : 10) } });
    }
    return writer.finish({ opsets: EMBED_TOKENS_OPSETS, docString: `LLaMA embed_tokens, ${variant}` });
  });
}
