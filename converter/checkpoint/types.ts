/** What every checkpoint reader (safetensors, PyTorch zip) hands the converter: tensors by name, read lazily. */

/** Element types as safetensors names them; PyTorch storages map onto these. */
export type DType = 'F32' | 'F16' | 'BF16';

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** The file that holds the tensor, for error messages. */
  file: string;
  /** Reads the tensor's data, widened to fp32 (row-major, as stored). Each call reads the file again. */
  read(): Promise<Float32Array>;
}

export interface Checkpoint {
  /** Every tensor's metadata; no data is read until `read()`. */
  tensors: Map<string, TensorEntry>;
  /** Non-float tensors the reader saw but does not expose (integer buffers such as CLIP's `position_ids`): name → dtype. */
  skipped?: Map<string, string>;
  /** What the user may want to know about how the files were read (an index passed over, say). */
  notes?: string[];
  /** Releases file handles. */
  close(): Promise<void>;
}

/** An in-memory tensor, as the tiny factory makes them and as tests build them. */
export interface DenseTensor {
  dtype: DType;
  shape: number[];
  data: Float32Array;
}
