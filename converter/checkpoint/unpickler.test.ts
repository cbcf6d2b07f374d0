import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { pickleStateDict } from './pickleWriter.ts';
import { collectTensors, unpickleTorch, type TensorRef } from './torchPickle.ts';
import { PyDict, PyTuple, unpickle, type PyValue } from './unpickler.ts';

/** Pickle bytes from opcodes (numbers) and latin1 text pieces. */
function pickle(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part);
    else for (const char of part) out.push(char.charCodeAt(0));
  }
  return Uint8Array.from(out);
}

const u32 = (n: number) => String.fromCharCode(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
const unicode = (text: string) => `X${u32(text.length)}${text}`;

function plain(data: Uint8Array): PyValue {
  return unpickle(data, { file: 'test.pkl', allowedGlobals: new Set(), callables: new Map(), persistentLoad: () => null });
}

function forbiddenMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PICKLE_FORBIDDEN_GLOBAL');
    return (error as AppError).message;
  }
  throw new Error('expected PICKLE_FORBIDDEN_GLOBAL');
}

describe('unpickle', () => {
  it('builds the plain values torch.save uses', () => {
    const value = plain(
      pickle(
        0x80, 2, '}q', 0, '(',
        unicode('ints'), 'K', 7, 'M', 0x34, 0x12, 'J', u32(-5 >>> 0), 0x87, // (7, 0x1234, -5)
        unicode('float'), 'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, // 1.5 (big-endian double)
        unicode('flags'), 0x88, 0x89, 'N', 0x87,
        unicode('list'), ']q', 1, 'K', 1, 'a(K', 2, 'K', 3, 'e',
        unicode('again'), 'h', 1, // memo 1: the same list
        unicode('bytes'), 'C', 2, 'ab',
        unicode('empty'), ')',
        'u.',
      ),
    );
    expect(value).toBeInstanceOf(PyDict);
    const map = (value as PyDict).map;
    expect((map.get('ints') as PyTuple).items).toEqual([7, 0x1234, -5]);
    expect(map.get('float')).toBe(1.5);
    expect((map.get('flags') as PyTuple).items).toEqual([true, false, null]);
    expect(map.get('list')).toEqual([1, 2, 3]);
    expect(map.get('again')).toBe(map.get('list'));
    expect(map.get('bytes')).toEqual(Uint8Array.from([0x61, 0x62]));
    expect((map.get('empty') as PyTuple).items).toEqual([]);
  });

  it('decodes LONG1 as two\'s complement, beyond 2^53 as bigint', () => {
    const tuple = plain(pickle(0x80, 2, 0x8a, 1, 0xff, 0x8a, 5, 0, 0, 0, 0, 1, 0x8a, 8, 1, 0, 0, 0, 0, 0, 0, 0x40, 0x87, '.')) as PyTuple;
    expect(tuple.items).toEqual([-1, 2 ** 32, 2n ** 62n + 1n]);
  });

  it.each(['os system', 'builtins eval', 'posix system', '__builtin__ getattr', 'torch.storage _load_from_bytes', 'subprocess Popen'])(
    'refuses the global %s by name, with the file in a one-line message',
    (global) => {
      const [module, name] = global.split(' ') as [string, string];
      const message = forbiddenMessage(() => unpickleTorch(pickle(0x80, 2, `c${module}\n${name}\n`, unicode('id'), 0x85, 'R.'), '/models/ckpt.pt'));
      expect(message).toBe(`/models/ckpt.pt: refuses to load global ${module}.${name}: a checkpoint must only hold tensors`);
    },
  );

  it('refuses a forbidden global before running anything, even one that comes after broken opcodes', () => {
    // BINGET of an empty memo would fail if executed; the global check comes first.
    const data = pickle(0x80, 2, 'h', 9, 'cos\nsystem\n', unicode('rm -rf /'), 0x85, 'R.');
    expect(forbiddenMessage(() => unpickleTorch(data, 'x.pt'))).toContain('os.system');
  });

  it('refuses STACK_GLOBAL and INST naming forbidden callables', () => {
    expect(forbiddenMessage(() => unpickleTorch(pickle(0x80, 4, 0x8c, 2, 'os', 0x8c, 6, 'system', 0x93, ')R.'), 'x.pt'))).toContain('os.system');
    expect(forbiddenMessage(() => unpickleTorch(pickle('(S\'ls\'\nios\nsystem\n.'), 'x.pt'))).toContain('os.system');
  });

  it('never calls an allowed type tag (a storage class) or a global it was not given', () => {
    const data = pickle(0x80, 2, 'ctorch\nHalfStorage\n', ')R.');
    expect(() => unpickleTorch(data, 'x.pt')).toThrow(/not callable/);
  });

  it('reports truncated and unknown opcodes as CHECKPOINT_INVALID', () => {
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as AppError).code;
      }
      return 'no error';
    };
    expect(codeOf(() => plain(pickle(0x80, 2, 'X', u32(100), 'abc')))).toBe('CHECKPOINT_INVALID');
    expect(codeOf(() => plain(pickle(0x80, 2, ')')))).toBe('CHECKPOINT_INVALID');
    expect(codeOf(() => plain(pickle(0x80, 2, 0xff, '.')))).toBe('CHECKPOINT_INVALID');
    expect(codeOf(() => plain(pickle(0x80, 2, 't.')))).toBe('CHECKPOINT_INVALID'); // TUPLE without MARK
  });
});

describe('torch state dict pickles', () => {
  it('reads back what pickleStateDict writes (tensor refs with contiguous strides)', () => {
    const data = pickleStateDict([
      { name: 'a.weight', dtype: 'F16', shape: [3, 4], storageKey: '0' },
      { name: 'b', dtype: 'BF16', shape: [70000], storageKey: '1' },
      { name: 'scalar', dtype: 'F32', shape: [], storageKey: '2' },
      { name: 'rank4', dtype: 'F32', shape: [2, 3, 14, 14], storageKey: '3' },
    ]);
    const tensors = collectTensors(unpickleTorch(data, 'x.pt'), 'x.pt');
    expect([...tensors.keys()]).toEqual(['a.weight', 'b', 'scalar', 'rank4']);
    const a = tensors.get('a.weight') as TensorRef;
    expect(a.storage).toMatchObject({ key: '0', dtype: 'F16', numel: 12 });
    expect([a.offset, a.shape, a.stride]).toEqual([0, [3, 4], [4, 1]]);
    expect((tensors.get('b') as TensorRef).storage).toMatchObject({ dtype: 'BF16', numel: 70000 });
    expect((tensors.get('scalar') as TensorRef).shape).toEqual([]);
    expect((tensors.get('rank4') as TensorRef).stride).toEqual([588, 196, 14, 1]);
  });

  it('batches more than 1000 items like CPython and keeps their order', () => {
    const specs = Array.from({ length: 1001 }, (_, i) => ({ name: `t${i}`, dtype: 'F32' as const, shape: [1], storageKey: String(i) }));
    const tensors = collectTensors(unpickleTorch(pickleStateDict(specs), 'x.pt'), 'x.pt');
    expect(tensors.size).toBe(1001);
    expect([...tensors.keys()].at(-1)).toBe('t1000');
  });
});
