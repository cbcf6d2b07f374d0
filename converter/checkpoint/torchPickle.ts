import { AppError } from '../../src/core/errors.ts';
import { PyDict, PyGlobal, PyTuple, unpickle, type PyOpaque, type PyValue } from './unpickler.ts';
import type { DType } from './types.ts';

/** What torch.save's persistent id names: one storage record `data/<key>` in the zip. */
export interface StorageRef extends PyOpaque {
  kind: 'storage';
  key: string;
  /** Readable element type, or the torch storage name for the ones the converter never needs (LongStorage…). */
  dtype: DType | { unsupported: string };
  /** Element size in bytes. */
  elementSize: number;
  numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view into a storage. */
export interface TensorRef extends PyOpaque {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** Storage classes are inert type tags in the pickle (never called); only the float ones are read. */
const STORAGE_TYPES: Record<string, { dtype: DType | { unsupported: string }; size: number }> = {
  'torch.HalfStorage': { dtype: 'F16', size: 2 },
  'torch.FloatStorage': { dtype: 'F32', size: 4 },
  'torch.BFloat16Storage': { dtype: 'BF16', size: 2 },
  // Integer buffers such as `position_ids` appear in some checkpoints; they are listed as skipped.
  'torch.LongStorage': { dtype: { unsupported: 'I64' }, size: 8 },
  'torch.IntStorage': { dtype: { unsupported: 'I32' }, size: 4 },
  'torch.ShortStorage': { dtype: { unsupported: 'I16' }, size: 2 },
  'torch.CharStorage': { dtype: { unsupported: 'I8' }, size: 1 },
  'torch.ByteStorage': { dtype: { unsupported: 'U8' }, size: 1 },
  'torch.BoolStorage': { dtype: { unsupported: 'BOOL' }, size: 1 },
  'torch.DoubleStorage': { dtype: { unsupported: 'F64' }, size: 8 },
};

const CALLABLE_NAMES = [
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
];

/** Everything a state dict pickle may name. Notably absent: `torch.storage._load_from_bytes` (it unpickles arbitrary bytes). */
export const TORCH_ALLOWED_GLOBALS: ReadonlySet<string> = new Set([...CALLABLE_NAMES, ...Object.keys(STORAGE_TYPES)]);

function isNatural(value: PyValue): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function naturals(value: PyValue): number[] | undefined {
  if (!(value instanceof PyTuple)) return undefined;
  return value.items.every(isNatural) ? (value.items as number[]) : undefined;
}

function isTensorRef(value: PyValue): value is TensorRef {
  return typeof value === 'object' && value !== null && (value as Partial<TensorRef>).kind === 'tensor';
}

function isStorageRef(value: PyValue): value is StorageRef {
  return typeof value === 'object' && value !== null && (value as Partial<StorageRef>).kind === 'storage';
}

/** Unpickles a torch.save `data.pkl` into its object tree, with tensors as `TensorRef`s. */
export function unpickleTorch(data: Uint8Array, file: string): PyValue {
  const bad = (problem: string) => new AppError('CHECKPOINT_INVALID', `${file}: ${problem}`);
  const storages = new Map<string, StorageRef>();

  const rebuildTensor = (args: PyValue[]): PyValue => {
    const [storage, offset, shapeValue, strideValue] = args;
    const shape = naturals(shapeValue ?? null);
    const stride = naturals(strideValue ?? null);
    if (!isStorageRef(storage ?? null) || !isNatural(offset ?? null) || !shape || !stride || shape.length !== stride.length) {
      throw bad('a tensor record has a malformed storage, offset, size or stride');
    }
    const tensor: TensorRef = { opaque: true, kind: 'tensor', storage: storage as StorageRef, offset: offset as number, shape, stride };
    return tensor;
  };
  const unwrapParameter = (args: PyValue[]): PyValue => {
    if (!isTensorRef(args[0] ?? null)) throw bad('a parameter record does not hold a tensor');
    return args[0] as PyValue;
  };
  const orderedDict = (args: PyValue[]): PyValue => {
    const dict = new PyDict();
    // OrderedDict([(key, value), ...]) from older picklers.
    const pairs = args[0];
    if (Array.isArray(pairs)) {
      for (const pair of pairs) {
        if (!(pair instanceof PyTuple) || pair.items.length !== 2) throw bad('OrderedDict built from something other than pairs');
        dict.map.set(pair.items[0], pair.items[1] as PyValue);
      }
    }
    return dict;
  };

  return unpickle(data, {
    file,
    allowedGlobals: TORCH_ALLOWED_GLOBALS,
    callables: new Map<string, (args: PyValue[]) => PyValue>([
      ['collections.OrderedDict', orderedDict],
      ['torch._utils._rebuild_tensor_v2', rebuildTensor],
      ['torch._utils._rebuild_parameter', unwrapParameter],
      ['torch._utils._rebuild_parameter_with_state', unwrapParameter],
    ]),
    persistentLoad(pid) {
      // ('storage', storage_type, key, location, numel), exactly as torch.serialization._save writes it.
      const items = pid instanceof PyTuple ? pid.items : [];
      const [tag, type, key, , numel] = items;
      if (tag !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string' || !isNatural(numel ?? null)) {
        throw bad('unexpected persistent id in data.pkl (not a torch storage)');
      }
      const storageType = STORAGE_TYPES[type.qualifiedName];
      if (!storageType) throw bad(`${type.qualifiedName} is not a storage type`);
      const known = storages.get(key);
      if (known) return known;
      const ref: StorageRef = { opaque: true, kind: 'storage', key, dtype: storageType.dtype, elementSize: storageType.size, numel: numel as number };
      storages.set(key, ref);
      return ref;
    },
  });
}

/**
 * The tensors of an unpickled checkpoint, by name. Nested dicts (`{"model": state_dict}`) join their keys with
 * dots; values that are not tensors (epoch counters, `_metadata`) are not weights and are left out.
 */
export function collectTensors(root: PyValue, file: string): Map<string, TensorRef> {
  if (!(root instanceof PyDict)) {
    throw new AppError('CHECKPOINT_INVALID', `${file}: holds no state dict (the pickled object is not a dict)`);
  }
  const tensors = new Map<string, TensorRef>();
  const visit = (dict: PyDict, prefix: string) => {
    for (const [key, value] of dict.map) {
      if (typeof key !== 'string' && typeof key !== 'number') continue;
      const name = `${prefix}${key}`;
      if (isTensorRef(value)) tensors.set(name, value);
      else if (value instanceof PyDict) visit(value, `${name}.`);
    }
  };
  visit(root, '');
  return tensors;
}
