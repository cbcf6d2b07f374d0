import type { DType } from './types.ts';

/** One tensor of a state dict as torch.save records it: a contiguous view into the storage `data/<storageKey>`. */
export interface PickledTensor {
  name: string;
  dtype: DType;
  shape: number[];
  storageKey: string;
  /** Where the view starts in its storage, in elements; default 0 (a storage of its own). */
  storageOffset?: number;
  /** The whole storage's element count; default the tensor's own. */
  storageNumel?: number;
  /** torch's location tag: 'cpu' (the default), or 'cuda:0' for tensors saved from a GPU. */
  location?: string;
}

const STORAGE_CLASS: Record<DType, string> = { F16: 'HalfStorage', F32: 'FloatStorage', BF16: 'BFloat16Storage' };

/**
 * Emits pickle protocol 2 the way CPython's Pickler does (memo PUT after every string, global, non-empty tuple and
 * reduced object; GET on repeats), so the bytes match what `torch.save(OrderedDict)` writes for the same tensors.
 */
class Pickler {
  private readonly parts: number[] = [];
  private nextMemo = 0;
  private readonly memo = new Map<string, number>();

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  op(...codes: number[]): void {
    for (const code of codes) this.parts.push(code);
  }

  private u32(value: number): void {
    this.op(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  put(): void {
    const index = this.nextMemo++;
    if (index < 256) this.op(0x71, index); // BINPUT
    else {
      this.op(0x72); // LONG_BINPUT
      this.u32(index);
    }
  }

  private get(index: number): void {
    if (index < 256) this.op(0x68, index); // BINGET
    else {
      this.op(0x6a); // LONG_BINGET
      this.u32(index);
    }
  }

  /** A memoised value (same-object strings and globals): emit once, GET afterwards. */
  private shared(key: string, emit: () => void): void {
    const known = this.memo.get(key);
    if (known !== undefined) return this.get(known);
    emit();
    this.memo.set(key, this.nextMemo);
    this.put();
  }

  string(text: string, sharedKey?: string): void {
    const emit = () => {
      const bytes = Buffer.from(text, 'utf8');
      this.op(0x58); // BINUNICODE
      this.u32(bytes.length);
      for (const byte of bytes) this.parts.push(byte);
    };
    if (sharedKey === undefined) {
      emit();
      this.put();
    } else this.shared(`str:${sharedKey}`, emit);
  }

  global(module: string, name: string): void {
    this.shared(`global:${module}.${name}`, () => {
      this.op(0x63); // GLOBAL
      for (const byte of Buffer.from(`${module}\n${name}\n`, 'latin1')) this.parts.push(byte);
    });
  }

  int(value: number): void {
    if (value >= 0 && value <= 0xff) this.op(0x4b, value); // BININT1
    else if (value >= 0 && value <= 0xffff) this.op(0x4d, value & 0xff, value >> 8); // BININT2
    else if (value >= -(2 ** 31) && value < 2 ** 31) {
      this.op(0x4a); // BININT
      this.u32(value >>> 0);
    } else {
      // LONG1: little-endian two's complement, as short as the sign allows.
      const bytes: number[] = [];
      let rest = BigInt(value);
      do {
        bytes.push(Number(rest & 0xffn));
        rest >>= 8n;
      } while (!((rest === 0n && ((bytes.at(-1) as number) & 0x80) === 0) || (rest === -1n && ((bytes.at(-1) as number) & 0x80) !== 0)));
      this.op(0x8a, bytes.length, ...bytes);
    }
  }

  tupleOfInts(values: number[]): void {
    if (values.length === 0) return this.op(0x29); // EMPTY_TUPLE, never memoised
    if (values.length > 3) this.op(0x28); // MARK
    for (const value of values) this.int(value);
    this.op(values.length > 3 ? 0x74 : 0x85 + values.length - 1); // TUPLE or TUPLE1..3
    this.put();
  }
}

function contiguousStrides(shape: number[]): number[] {
  const strides: number[] = [];
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides.unshift(step);
    step *= shape[axis] as number;
  }
  return strides;
}

/**
 * The `data.pkl` of `torch.save(OrderedDict(...))`: each value is
 * `_rebuild_tensor_v2(persistent_load(('storage', torch.<Type>Storage, key, location, numel)), offset, shape, stride, False, OrderedDict())`.
 */
export function pickleStateDict(tensors: PickledTensor[]): Uint8Array {
  const p = new Pickler();
  p.op(0x80, 2); // PROTO 2
  p.global('collections', 'OrderedDict');
  p.op(0x29, 0x52); // EMPTY_TUPLE REDUCE
  p.put();
  // CPython batches dict items in groups of 1000: MARK … SETITEMS, or a lone SETITEM for a batch of one.
  for (let start = 0; start < tensors.length; start += 1000) {
    const batch = tensors.slice(start, start + 1000);
    if (batch.length > 1) p.op(0x28);
    for (const tensor of batch) {
      p.string(tensor.name);
      p.global('torch._utils', '_rebuild_tensor_v2');
      p.op(0x28, 0x28); // MARK (args) MARK (persistent id)
      p.string('storage', 'storage');
      p.global('torch', STORAGE_CLASS[tensor.dtype]);
      p.string(tensor.storageKey);
      // torch's 'cpu' tag is one interned string; a CUDA tag ('cuda:' + index) is a new string each time.
      const location = tensor.location ?? 'cpu';
      p.string(location, location === 'cpu' ? 'cpu' : undefined);
      p.int(tensor.storageNumel ?? tensor.shape.reduce((a, b) => a * b, 1));
      p.op(0x74); // TUPLE
      p.put();
      p.op(0x51); // BINPERSID
      p.int(tensor.storageOffset ?? 0);
      p.tupleOfInts(tensor.shape);
      p.tupleOfInts(contiguousStrides(tensor.shape));
      p.op(0x89); // NEWFALSE: requires_grad
      p.global('collections', 'OrderedDict');
      p.op(0x29, 0x52); // backward hooks: OrderedDict()
      p.put();
      p.op(0x74); // TUPLE (args)
      p.put();
      p.op(0x52); // REDUCE
      p.put();
    }
    p.op(batch.length > 1 ? 0x75 : 0x73); // SETITEMS or SETITEM
  }
  p.op(0x2e); // STOP
  return p.bytes();
}
