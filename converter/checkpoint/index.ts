/** Readers and writers of the original checkpoint formats (safetensors, PyTorch zip, sharded indexes). */
export type { Checkpoint, DType, DenseTensor, TensorEntry } from './types.ts';
export { openCheckpoint, openCheckpointFile, safetensorsIndexName, torchIndexName } from './openCheckpoint.ts';
export { openSafetensors } from './safetensorsReader.ts';
export { openTorchZip } from './torchReader.ts';
export { openShardedCheckpoint, readWeightMap } from './shardIndex.ts';
export { writeSafetensors } from './safetensorsWriter.ts';
export { writeTorchZip, type TorchWriteOptions } from './torchWriter.ts';
export { planShards, shardFileName, writeShardedCheckpoint, type WeightFormat } from './shardWriter.ts';
export { byteLength, denseSource, type TensorSource, type TensorSpec } from './tensorSource.ts';
export { float32ToBf16Bits, float32ToFp16Bits, fp16BitsToFloat32 } from './dtypes.ts';
