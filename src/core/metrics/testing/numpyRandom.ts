/**
 * NumPy's legacy `np.random.RandomState(seed)` (MT19937) with its `randn` (Marsaglia's polar method),
 * bit for bit, so tests can rebuild noisy images that the Python reference script made, instead of
 * committing incompressible noise as PNG. Test helper only.
 */
const N = 624;
const M = 397;

export class LegacyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;
  private gauss: number | undefined;

  /** `np.random.seed(seed)` for an integer seed: MT19937's init_genrand. */
  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      // 1812433253 * prev mod 2^32, split so the product stays exact in doubles
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  private nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      let next = mt[(i + M) % N]! ^ (y >>> 1);
      if (y & 1) next ^= 0x9908b0df;
      mt[i] = next >>> 0;
    }
    this.index = 0;
  }

  /** A double in [0, 1) with 53 random bits, as NumPy's legacy_double. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** One standard normal sample, as NumPy's legacy_gauss (pairs cached like NumPy does). */
  nextGaussian(): number {
    if (this.gauss !== undefined) {
      const cached = this.gauss;
      this.gauss = undefined;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    return f * x2;
  }

  /** `randn(count)` flattened in C order. */
  randn(count: number): Float64Array {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.nextGaussian();
    return out;
  }
}
