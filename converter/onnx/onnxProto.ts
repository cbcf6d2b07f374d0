/**
 * The ONNX protobuf schema (onnx-proto: protobufjs code generated from onnx.proto v1.10) and the element types
 * the converter writes. onnx-proto is CommonJS, so it is reached through its default export.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** Element types by the names onnxruntime-web's `Tensor.type` uses. */
export type ElemType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8';

export const elemTypeCode: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
};

export const elemTypeBytes: Record<ElemType, number> = { float32: 4, float16: 2, int32: 4, int64: 8, uint8: 1 };

/** A dimension: a fixed size, or a symbolic name such as 'batch_size'. */
export type Dim = number | string;

/** 4-byte aligned little-endian bytes of a typed array (a view, not a copy). */
export function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
