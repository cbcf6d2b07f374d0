/**
 * A small builder for ONNX graphs: nodes (any domain), attributes, inline or external initializers, and graph
 * inputs/outputs with symbolic dimensions. It holds only the graph's structure; external initializers hold a
 * reference to bytes already written by an `ExternalDataWriter`.
 */
import { AppError } from '../../src/core/errors.ts';
import type { ExternalRef } from './ExternalDataWriter.ts';
import {
  bytesOf,
  elemTypeBytes,
  elemTypeCode,
  onnx,
  type AttributeProto,
  type Dim,
  type ElemType,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnxProto.ts';

/** An attribute value; `attr.*` builds them so that an integer-valued float stays a float. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'string'; value: string };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: number[]): Attribute => ({ kind: 'ints', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
};

export interface NodeOptions {
  /** '' (default ONNX domain) or e.g. 'com.microsoft'. */
  domain?: string;
  name?: string;
  attributes?: Record<string, Attribute>;
}

/** A graph input or output as the manifest records it. */
export interface ValueInfo {
  name: string;
  type: ElemType;
  shape: Dim[];
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface ModelOptions {
  opsets: OpsetImport[];
  /** IR 8 goes with opsets up to 18 and is read by every onnxruntime since 1.14. */
  irVersion?: number;
  producerName?: string;
  docString?: string;
}

export class GraphBuilder {
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  private nodeCount = 0;

  constructor(readonly name: string) {}

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.claim(name);
    this.inputs.push({ name, type, shape });
    return name;
  }

  /** Declares a graph output; `name` must be produced by a node. */
  output(name: string, type: ElemType, shape: Dim[]): string {
    this.outputs.push({ name, type, shape });
    return name;
  }

  /** Adds a node; returns its output names. An empty input name ('') omits an optional input. */
  node(opType: string, inputs: string[], outputs: string[], options: NodeOptions = {}): string[] {
    for (const output of outputs) if (output !== '') this.claim(output);
    const attributes = Object.entries(options.attributes ?? {}).map(([name, value]) => toAttribute(name, value));
    this.nodes.push({
      opType,
      domain: options.domain ?? '',
      name: options.name ?? `${opType}_${this.nodeCount}`,
      input: inputs,
      output: outputs,
      attribute: attributes,
    });
    this.nodeCount++;
    return outputs;
  }

  /** An initializer stored inside the .onnx file (small constants). */
  initializer(name: string, type: ElemType, dims: number[], data: ArrayBufferView): string {
    checkSize(name, type, dims, data.byteLength);
    this.claim(name);
    // Copied: the caller may reuse its buffer before the model is serialised.
    this.initializers.push({ name, dataType: elemTypeCode[type], dims, rawData: bytesOf(data).slice() });
    return name;
  }

  /** An initializer whose bytes were written to a side file. */
  externalInitializer(name: string, type: ElemType, dims: number[], ref: ExternalRef): string {
    checkSize(name, type, dims, ref.length);
    this.claim(name);
    this.initializers.push({
      name,
      dataType: elemTypeCode[type],
      dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: ref.location },
        { key: 'offset', value: String(ref.offset) },
        { key: 'length', value: String(ref.length) },
      ],
    });
    return name;
  }

  /** Serialises the model (structure plus inline initializers) to protobuf bytes. */
  toBytes(options: ModelOptions): Uint8Array {
    const model: ModelProto = {
      irVersion: options.irVersion ?? 8,
      producerName: options.producerName ?? 'depictqa-web converter',
      docString: options.docString ?? '',
      opsetImport: options.opsets.map(({ domain, version }) => ({ domain, version })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(toValueInfo),
        output: this.outputs.map(toValueInfo),
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new AppError('INTERNAL', `graph ${this.name}: the value name "${name}" is defined twice`);
    this.names.add(name);
  }
}

function checkSize(name: string, type: ElemType, dims: number[], byteLength: number): void {
  const expected = dims.reduce((a, b) => a * b, 1) * elemTypeBytes[type];
  if (expected !== byteLength) {
    throw new AppError('INTERNAL', `initializer ${name}: ${byteLength} bytes for ${type} [${dims.join(', ')}] (expected ${expected})`);
  }
}

function toValueInfo(info: ValueInfo): ValueInfoProto {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: elemTypeCode[info.type],
        shape: { dim: info.shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function toAttribute(name: string, attribute: Attribute): AttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  switch (attribute.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: attribute.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: attribute.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: attribute.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(attribute.value) };
  }
}
