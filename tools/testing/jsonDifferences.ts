/** How far two numbers may lie apart and still count as the same: |a − b| ≤ absolute + relative · max(|a|, |b|). */
export interface NumberTolerance {
  absolute?: number;
  relative?: number;
}

/**
 * Where two JSON values differ: keys, array lengths, strings, booleans and nulls exactly, numbers within the
 * tolerance. Each difference is one line, `path: actual vs expected`; none means the two are the same.
 *
 * Fixtures that a reference script writes in floating point repeat only to rounding on another CPU (its BLAS picks
 * other kernels, its JIT other instructions), so a regeneration check compares them with this, not byte for byte.
 */
export function jsonDifferences(actual: unknown, expected: unknown, tolerance: NumberTolerance, path = '$'): string[] {
  if (typeof actual === 'number' && typeof expected === 'number') {
    const bound = (tolerance.absolute ?? 0) + (tolerance.relative ?? 0) * Math.max(Math.abs(actual), Math.abs(expected));
    return Math.abs(actual - expected) <= bound ? [] : [`${path}: ${actual} vs ${expected}`];
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return [`${path}: ${actual.length} items vs ${expected.length}`];
    return actual.flatMap((item, i) => jsonDifferences(item, expected[i], tolerance, `${path}[${i}]`));
  }
  if (isRecord(actual) && isRecord(expected)) {
    const keys = Object.keys(actual).sort();
    const expectedKeys = Object.keys(expected).sort();
    if (keys.join('\n') !== expectedKeys.join('\n')) return [`${path}: keys ${keys.join(',')} vs ${expectedKeys.join(',')}`];
    return keys.flatMap((key) => jsonDifferences(actual[key], expected[key], tolerance, `${path}.${key}`));
  }
  return Object.is(actual, expected) ? [] : [`${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
