/** The parts one after another in one new array of their type. */
export function concatArrays<T extends Uint8Array | Float32Array>(Type: new (length: number) => T, parts: readonly T[]): T {
  const out = new Type(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
