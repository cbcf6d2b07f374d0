/**
 * One .onnx file and its external data chunks: weights stream to the side files as they are added, the graph
 * structure is serialised at `finish()`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalDataWriter, type ExternalDataOptions, type WrittenFile } from './ExternalDataWriter.ts';
import { GraphBuilder, type ModelOptions, type ValueInfo } from './GraphBuilder.ts';
import { bytesOf, type ElemType } from './onnxProto.ts';

/** What was written for one graph: the manifest records these. */
export interface WrittenGraph {
  /** The .onnx file, e.g. `decoder_model_merged_q4.onnx`. */
  model: WrittenFile;
  /** External data chunks in order (`…onnx_data`, `…onnx_data_1`, …); empty when every weight is inline. */
  data: WrittenFile[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export class ModelWriter {
  readonly graph: GraphBuilder;
  private readonly data: ExternalDataWriter;

  constructor(
    private readonly dir: string,
    private readonly fileName: string,
    graphName: string,
    dataOptions: ExternalDataOptions = {},
  ) {
    this.graph = new GraphBuilder(graphName);
    this.data = new ExternalDataWriter(dir, fileName, dataOptions);
  }

  /** Appends a weight to the external data (pieces are concatenated, e.g. row blocks) and declares it. */
  async weight(name: string, type: ElemType, dims: number[], data: ArrayBufferView | readonly ArrayBufferView[]): Promise<string> {
    const pieces = ArrayBuffer.isView(data) ? [bytesOf(data)] : data.map(bytesOf);
    const ref = await this.data.write(pieces);
    return this.graph.externalInitializer(name, type, dims, ref);
  }

  /** A small constant kept inside the .onnx file. */
  constant(name: string, type: ElemType, dims: number[], data: ArrayBufferView): string {
    return this.graph.initializer(name, type, dims, data);
  }

  /** Closes the open external-data chunk of a graph that will not be finished (a conversion that failed). */
  async abort(): Promise<void> {
    await this.data.close();
  }

  /** Runs `build` on this writer, closing its chunk if it fails (its files are left to the caller's cleanup). */
  async building<T>(build: (writer: ModelWriter) => Promise<T>): Promise<T> {
    try {
      return await build(this);
    } catch (error) {
      await this.abort().catch(() => undefined);
      throw error;
    }
  }

  async finish(options: ModelOptions): Promise<WrittenGraph> {
    const data = await this.data.close();
    const bytes = this.graph.toBytes(options);
    await writeFile(join(this.dir, this.fileName), bytes);
    return {
      model: { name: this.fileName, bytes: bytes.byteLength },
      data,
      inputs: this.graph.inputs.map((info) => ({ ...info, shape: [...info.shape] })),
      outputs: this.graph.outputs.map((info) => ({ ...info, shape: [...info.shape] })),
    };
  }
}
