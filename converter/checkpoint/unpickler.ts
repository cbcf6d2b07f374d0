import { AppError } from '../../src/core/errors.ts';

/**
 * A restricted unpickler: it builds plain data (numbers, strings, lists, tuples, dicts) and calls nothing but the
 * few constructors its caller allows. Every global the pickle names is checked against the allowlist BEFORE any
 * opcode runs, so a checkpoint that names `os.system` is refused without building anything.
 */

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
export class PyDict {
  readonly map = new Map<unknown, PyValue>();
  /** What BUILD set (e.g. a state dict's `_metadata`); kept, never interpreted. */
  state: PyValue = null;
}
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}
/** Anything the caller's constructors return (tensor and storage references). */
export interface PyOpaque {
  readonly opaque: true;
}
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyOpaque;

export interface UnpickleOptions {
  /** The file, for error messages. */
  file: string;
  /** Qualified names (`module.name`) that may appear; anything else is PICKLE_FORBIDDEN_GLOBAL. */
  allowedGlobals: ReadonlySet<string>;
  /** The allowed globals that may be called (REDUCE / NEWOBJ), by qualified name. */
  callables: ReadonlyMap<string, (args: PyValue[]) => PyValue>;
  /** Resolves a persistent id (BINPERSID); torch uses it for tensor storages. */
  persistentLoad(pid: PyValue): PyValue;
}

interface Op {
  code: number;
  arg: unknown;
  at: number;
}

const TEXT = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

export function forbiddenGlobal(file: string, qualifiedName: string): AppError {
  return new AppError('PICKLE_FORBIDDEN_GLOBAL', `${file}: refuses to load global ${qualifiedName}: a checkpoint must only hold tensors`, {
    hint: 'This file would run code when loaded with torch.load. Do not use it; get the checkpoint from its original source.',
  });
}

// Opcodes by byte; see CPython's Lib/pickletools.py for the reference.
const enum OpCode {
  MARK = 0x28, STOP = 0x2e, POP = 0x30, POP_MARK = 0x31, DUP = 0x32, FLOAT = 0x46, INT = 0x49, BININT = 0x4a,
  BININT1 = 0x4b, LONG = 0x4c, BININT2 = 0x4d, NONE = 0x4e, PERSID = 0x50, BINPERSID = 0x51, REDUCE = 0x52,
  STRING = 0x53, BINSTRING = 0x54, SHORT_BINSTRING = 0x55, UNICODE = 0x56, BINUNICODE = 0x58, APPEND = 0x61,
  BUILD = 0x62, GLOBAL = 0x63, DICT = 0x64, EMPTY_DICT = 0x7d, APPENDS = 0x65, GET = 0x67, BINGET = 0x68, INST = 0x69,
  LONG_BINGET = 0x6a, LIST = 0x6c, EMPTY_LIST = 0x5d, OBJ = 0x6f, PUT = 0x70, BINPUT = 0x71, LONG_BINPUT = 0x72,
  SETITEM = 0x73, TUPLE = 0x74, EMPTY_TUPLE = 0x29, SETITEMS = 0x75, BINFLOAT = 0x47, PROTO = 0x80, NEWOBJ = 0x81,
  TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
  BINBYTES = 0x42, SHORT_BINBYTES = 0x43, SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e,
  STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
}

function decodeLong(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  if (bytes.length > 0 && (bytes[bytes.length - 1] as number) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Splits the byte stream into opcodes and their arguments (pass 1: nothing is built yet). */
function decodeOps(data: Uint8Array, file: string): Op[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ops: Op[] = [];
  let pos = 0;
  const bad = (problem: string) => new AppError('CHECKPOINT_INVALID', `${file}: broken pickle: ${problem}`);
  const need = (n: number) => {
    if (pos + n > data.length) throw bad(`opcode at byte ${ops.at(-1)?.at ?? 0} runs past the end`);
  };
  const take = (n: number) => {
    need(n);
    const bytes = data.subarray(pos, pos + n);
    pos += n;
    return bytes;
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw bad('unterminated text argument');
    const text = LATIN1.decode(data.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const u8 = () => (need(1), data[pos++] as number);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    pos += 8;
    const value = view.getBigUint64(pos - 8, true);
    if (value > BigInt(data.length)) throw bad('length past the end');
    return Number(value);
  };
  while (pos < data.length) {
    const at = pos;
    const code = data[pos++] as number;
    let arg: unknown = undefined;
    switch (code) {
      case OpCode.PROTO: case OpCode.BININT1: case OpCode.BINGET: case OpCode.BINPUT: arg = u8(); break;
      case OpCode.BININT2: arg = u16(); break;
      case OpCode.BININT: need(4); arg = view.getInt32(pos, true); pos += 4; break;
      case OpCode.LONG_BINGET: case OpCode.LONG_BINPUT: arg = u32(); break;
      case OpCode.FRAME: u64(); break;
      case OpCode.LONG1: arg = decodeLong(take(u8())); break;
      case OpCode.LONG4: arg = decodeLong(take(u32())); break;
      case OpCode.BINFLOAT: need(8); arg = view.getFloat64(pos, false); pos += 8; break;
      case OpCode.BINUNICODE: case OpCode.SHORT_BINUNICODE: case OpCode.BINUNICODE8: {
        const length = code === OpCode.SHORT_BINUNICODE ? u8() : code === OpCode.BINUNICODE ? u32() : u64();
        try {
          arg = TEXT.decode(take(length));
        } catch (error) {
          if (error instanceof AppError) throw error;
          throw bad(`invalid UTF-8 in a string at byte ${at}`);
        }
        break;
      }
      case OpCode.BINSTRING: arg = LATIN1.decode(take(u32())); break;
      case OpCode.SHORT_BINSTRING: arg = LATIN1.decode(take(u8())); break;
      case OpCode.BINBYTES: arg = take(u32()).slice(); break;
      case OpCode.SHORT_BINBYTES: arg = take(u8()).slice(); break;
      case OpCode.BINBYTES8: arg = take(u64()).slice(); break;
      case OpCode.GLOBAL: case OpCode.INST: arg = [line(), line()]; break;
      case OpCode.INT: case OpCode.LONG: case OpCode.FLOAT: case OpCode.PERSID: case OpCode.GET: case OpCode.PUT:
      case OpCode.STRING: case OpCode.UNICODE:
        arg = line();
        break;
      case OpCode.MARK: case OpCode.STOP: case OpCode.POP: case OpCode.POP_MARK: case OpCode.DUP: case OpCode.NONE:
      case OpCode.BINPERSID: case OpCode.REDUCE: case OpCode.APPEND: case OpCode.BUILD: case OpCode.DICT:
      case OpCode.EMPTY_DICT: case OpCode.APPENDS: case OpCode.LIST: case OpCode.EMPTY_LIST: case OpCode.OBJ:
      case OpCode.SETITEM: case OpCode.TUPLE: case OpCode.EMPTY_TUPLE: case OpCode.SETITEMS: case OpCode.NEWOBJ:
      case OpCode.TUPLE1: case OpCode.TUPLE2: case OpCode.TUPLE3: case OpCode.NEWTRUE: case OpCode.NEWFALSE:
      case OpCode.STACK_GLOBAL: case OpCode.MEMOIZE:
        break;
      default:
        throw bad(`unsupported opcode 0x${code.toString(16).padStart(2, '0')} at byte ${at}`);
    }
    ops.push({ code, arg, at });
    if (code === OpCode.STOP) return ops;
  }
  throw bad('no STOP opcode (truncated data.pkl?)');
}

/** Checks every global named in the stream (pass 2), before anything is built. */
function checkGlobals(ops: Op[], options: UnpickleOptions): void {
  for (const op of ops) {
    if (op.code !== OpCode.GLOBAL && op.code !== OpCode.INST) continue;
    const [module, name] = op.arg as [string, string];
    const qualified = `${module}.${name}`;
    if (op.code === OpCode.INST || !options.allowedGlobals.has(qualified)) throw forbiddenGlobal(options.file, qualified);
  }
}

/** Unpickles `data` under `options`' allowlist; see the module comment. */
export function unpickle(data: Uint8Array, options: UnpickleOptions): PyValue {
  const ops = decodeOps(data, options.file);
  checkGlobals(ops, options);
  return run(ops, options);
}

function run(ops: Op[], options: UnpickleOptions): PyValue {
  const { file } = options;
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  const bad = (op: Op, problem: string) =>
    new AppError('CHECKPOINT_INVALID', `${file}: broken pickle at byte ${op.at}: ${problem}`);
  const pop = (op: Op): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= (marks.at(-1) as number))) throw bad(op, 'stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (op: Op): PyValue => {
    if (stack.length === 0) throw bad(op, 'stack underflow');
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (op: Op): PyValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw bad(op, 'no MARK');
    return stack.splice(mark);
  };
  const call = (op: Op, callee: PyValue, args: PyValue): PyValue => {
    if (!(callee instanceof PyGlobal) || !(args instanceof PyTuple)) throw bad(op, 'call of something that is not a global');
    const fn = options.callables.get(callee.qualifiedName);
    if (!fn) throw bad(op, `${callee.qualifiedName} is not callable in a checkpoint`);
    return fn(args.items);
  };
  const setItems = (op: Op, target: PyValue, items: PyValue[]) => {
    if (!(target instanceof PyDict)) throw bad(op, 'SETITEM on something that is not a dict');
    if (items.length % 2 !== 0) throw bad(op, 'odd number of dict items');
    for (let i = 0; i < items.length; i += 2) target.map.set(items[i], items[i + 1] as PyValue);
  };
  const append = (op: Op, target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target)) throw bad(op, 'APPEND on something that is not a list');
    target.push(...items);
  };
  const global = (module: string, name: string): PyGlobal => {
    const qualified = `${module}.${name}`;
    if (!options.allowedGlobals.has(qualified)) throw forbiddenGlobal(file, qualified);
    return new PyGlobal(module, name);
  };
  const memoGet = (op: Op, key: number): PyValue => {
    if (!memo.has(key)) throw bad(op, `memo ${key} is empty`);
    return memo.get(key) as PyValue;
  };

  for (const op of ops) {
    switch (op.code) {
      case OpCode.PROTO:
        if ((op.arg as number) > 5) throw bad(op, `pickle protocol ${op.arg as number} is newer than 5`);
        break;
      case OpCode.FRAME: break;
      case OpCode.STOP: return pop(op);
      case OpCode.MARK: marks.push(stack.length); break;
      case OpCode.POP: pop(op); break;
      case OpCode.POP_MARK: popMark(op); break;
      case OpCode.DUP: stack.push(top(op)); break;
      case OpCode.NONE: stack.push(null); break;
      case OpCode.NEWTRUE: stack.push(true); break;
      case OpCode.NEWFALSE: stack.push(false); break;
      case OpCode.INT: {
        const text = (op.arg as string).trim();
        stack.push(text === '01' ? true : text === '00' ? false : decodeDecimal(op, text, bad));
        break;
      }
      case OpCode.LONG: stack.push(decodeDecimal(op, (op.arg as string).replace(/L$/, ''), bad)); break;
      case OpCode.FLOAT: stack.push(Number.parseFloat(op.arg as string)); break;
      case OpCode.BININT: case OpCode.BININT1: case OpCode.BININT2: case OpCode.LONG1: case OpCode.LONG4:
      case OpCode.BINFLOAT: case OpCode.BINUNICODE: case OpCode.SHORT_BINUNICODE: case OpCode.BINUNICODE8:
      case OpCode.BINSTRING: case OpCode.SHORT_BINSTRING: case OpCode.BINBYTES: case OpCode.SHORT_BINBYTES:
      case OpCode.BINBYTES8:
        stack.push(op.arg as PyValue);
        break;
      case OpCode.STRING: case OpCode.UNICODE:
        throw bad(op, 'text-mode strings are not used by torch.save');
      case OpCode.EMPTY_DICT: stack.push(new PyDict()); break;
      case OpCode.EMPTY_LIST: stack.push([]); break;
      case OpCode.EMPTY_TUPLE: stack.push(new PyTuple([])); break;
      case OpCode.TUPLE: stack.push(new PyTuple(popMark(op))); break;
      case OpCode.TUPLE1: case OpCode.TUPLE2: case OpCode.TUPLE3: {
        const n = op.code - OpCode.TUPLE1 + 1;
        const items: PyValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop(op));
        stack.push(new PyTuple(items));
        break;
      }
      case OpCode.LIST: stack.push(popMark(op)); break;
      case OpCode.DICT: {
        const dict = new PyDict();
        setItems(op, dict, popMark(op));
        stack.push(dict);
        break;
      }
      case OpCode.APPEND: { const value = pop(op); append(op, top(op), [value]); break; }
      case OpCode.APPENDS: { const items = popMark(op); append(op, top(op), items); break; }
      case OpCode.SETITEM: { const value = pop(op); const key = pop(op); setItems(op, top(op), [key, value]); break; }
      case OpCode.SETITEMS: { const items = popMark(op); setItems(op, top(op), items); break; }
      case OpCode.PUT: memo.set(Number.parseInt(op.arg as string, 10), top(op)); break;
      case OpCode.BINPUT: case OpCode.LONG_BINPUT: memo.set(op.arg as number, top(op)); break;
      case OpCode.MEMOIZE: memo.set(memo.size, top(op)); break;
      case OpCode.GET: stack.push(memoGet(op, Number.parseInt(op.arg as string, 10))); break;
      case OpCode.BINGET: case OpCode.LONG_BINGET: stack.push(memoGet(op, op.arg as number)); break;
      case OpCode.GLOBAL: { const [module, name] = op.arg as [string, string]; stack.push(global(module, name)); break; }
      case OpCode.STACK_GLOBAL: {
        const name = pop(op);
        const module = pop(op);
        if (typeof module !== 'string' || typeof name !== 'string') throw bad(op, 'STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case OpCode.REDUCE: case OpCode.NEWOBJ: { const args = pop(op); const callee = pop(op); stack.push(call(op, callee, args)); break; }
      case OpCode.OBJ: {
        const [callee, ...args] = popMark(op);
        stack.push(call(op, callee ?? null, new PyTuple(args)));
        break;
      }
      case OpCode.BUILD: {
        const state = pop(op);
        const target = top(op);
        // A dict's state is its __dict__ (e.g. a state dict's `_metadata`); torch's tensor refs take none that matters.
        if (target instanceof PyDict) target.state = state;
        else if (!(typeof target === 'object' && target !== null && 'opaque' in target)) throw bad(op, 'BUILD on a plain value');
        break;
      }
      case OpCode.BINPERSID: stack.push(options.persistentLoad(pop(op))); break;
      case OpCode.PERSID: stack.push(options.persistentLoad(op.arg as string)); break;
      default: throw bad(op, `unsupported opcode 0x${op.code.toString(16)}`);
    }
  }
  throw new AppError('CHECKPOINT_INVALID', `${file}: broken pickle: no STOP opcode`);
}

function decodeDecimal(op: Op, text: string, bad: (op: Op, problem: string) => AppError): number | bigint {
  if (!/^-?\d+$/.test(text)) throw bad(op, `not an integer: ${text}`);
  const value = BigInt(text);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
