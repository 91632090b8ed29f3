/**
 * The reference vectors' portable generator (reference.json `portable_rng`): xorshift32 and the
 * three distributions, evaluated in exactly the documented order so samples are bit-identical.
 */
export interface PortableGen {
  readonly source: 'portable';
  readonly dist: 'uniform' | 'irwin_hall12' | 'floor';
  readonly n: number;
  readonly seed: number;
  readonly loc?: number;
  readonly scale?: number;
  readonly m?: number;
}

export function xorshift32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x;
  };
}

export function portableSample(gen: PortableGen): Float64Array {
  const next = xorshift32(gen.seed);
  const u = (): number => next() / 4294967296;
  const loc = gen.loc ?? 0;
  const scale = gen.scale ?? 1;
  const out = new Float64Array(gen.n);
  for (let i = 0; i < gen.n; i += 1) {
    if (gen.dist === 'uniform') {
      const t = scale * u();
      out[i] = loc + t;
    } else if (gen.dist === 'irwin_hall12') {
      let s = 0;
      for (let k = 0; k < 12; k += 1) s += u();
      out[i] = loc + scale * (s - 6);
    } else {
      out[i] = loc + Math.floor(u() * (gen.m as number));
    }
  }
  return out;
}
