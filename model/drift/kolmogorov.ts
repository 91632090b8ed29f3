/**
 * The two-sided one-sample Kolmogorov-Smirnov distribution's survival function,
 * P(D_n >= x), exactly as scipy 1.10 computes `scipy.stats.kstwo.sf(x, n)` (the algorithm
 * choice of Simard & L'Ecuyer 2011, in scipy/stats/_ksstats.py `_kolmogn`): Ruben-Gambino at
 * the ends, Durbin's matrix (Marsaglia-Tsang-Wang) or Pomeranz for small n, twice the
 * one-sided Smirnov tail for large x, and the Pelz-Good expansion otherwise.
 * ks2samp's 'asymp' method calls it with n = round(n1*n2/(n1+n2)).
 *
 * One knowing difference: scipy's `special.smirnov` (C, cephes) switches to an asymptotic
 * expansion for very large n, where `smirnovSf` here always sums the exact Birnbaum-Tingey
 * series in log space. It is only reached when n*x^2 >= 2.2 (p below about 0.02), where the
 * two agree far beyond what a drift decision needs.
 */
import { logBinom } from './special';

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT2PI = Math.sqrt(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
// Bernoulli B_{2j}/(2j)/(2j-1), j = 8..1 (scipy _ksstats.py), as float64.
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

const clip = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  const r = rn / n;
  for (const c of STIRLING) poly = poly * r + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** P(D_n^+ >= x), the one-sided Smirnov tail (scipy.special.smirnov), Birnbaum-Tingey series. */
export function smirnovSf(n: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x >= 1) return 0;
  const jmax = Math.floor(n * (1 - x));
  let sum = 0;
  for (let j = 0; j <= jmax; j += 1) {
    const a = 1 - x - j / n;
    if (a <= 0) continue;
    const logTerm = logBinom(n, j) + (n - j) * Math.log(a) + (j - 1) * Math.log(x + j / n);
    sum += Math.exp(logTerm);
  }
  return clip(x * sum);
}

/** P(D_n <= d), Durbin's matrix method as Marsaglia, Tsang & Wang compute it. */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j += 1) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i += 1) {
    for (let r = i - 1; r < m; r += 1) H[r * m + i] = w[r - (i - 1)];
  }
  for (let r = 0; r < m; r += 1) H[r * m] = v[r];
  for (let c = 0; c < m; c += 1) H[(m - 1) * m + c] = v[m - 1 - c];

  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i += 1) P[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      P = matmul(P, H, m);
      expnt += hExpnt;
    }
    H = matmul(H, H, m);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > EP128) {
      for (let i = 0; i < H.length; i += 1) H[i] /= EP128;
      hExpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i += 1) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p *= 2 ** expnt;
  return clip(p);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i += 1) {
    for (let l = 0; l < m; l += 1) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      for (let j = 0; j < m; j += 1) out[i * m + j] += ail * b[l * m + j];
    }
  }
  return out;
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n <= x), Pomeranz's recursion (scipy `_kolmogn_Pomeranz`). */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinus2GOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m += 1) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinus2GOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i += 1) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      const off = k1 - V0s;
      // numpy.convolve(V0[off:off+ln2], pwrs[:ln2]) in 'full' mode; slices stop at the row end.
      const lenA = Math.min(ln2, npwrs - off);
      const lenB = Math.min(ln2, npwrs);
      let max = 0;
      for (let q = 0; q < convLen; q += 1) {
        const c = convStart + q;
        let s = 0;
        const aLo = Math.max(0, c - (lenB - 1));
        const aHi = Math.min(c, lenA - 1);
        for (let a = aLo; a <= aHi; a += 1) s += V0[off + a] * pwrs[c - a];
        V1[q] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < EM128) {
        for (let q = 0; q < V1.length; q += 1) V1[q] *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m += 1) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans *= 2 ** expnt;
  return clip(ans);
}

/** P(D_n <= x), the Pelz-Good expansion (scipy `_kolmogn_PelzGood`). */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k -= 1) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i += 1) K[i] = K[i] * qpower + coeffs[i];
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i += 1) K[i] = (K[i] * q * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = SQRT3 * z;
  for (let k = maxk; k > 0; k -= 1) {
    const k2 = k * k;
    const qp = q ** k2;
    k2extra += k2 * qp;
    const kspi = Math.PI * k;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * k2 * qp;
  }
  K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  for (let i = 1; i < 4; i += 1) K[i] /= n ** (i / 2);
  return K[0] + K[1] + K[2] + K[3];
}

/** P(D_n >= x) for the two-sided one-sample KS statistic (scipy.stats.kstwo.sf). */
export function kstwoSf(x: number, n: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i += 1) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - prob);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - kolmognDMTW(n, x));
    if (nx2 <= 4) return clip(1 - kolmognPomeranz(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = kolmognDMTW(n, x);
  else cdf = kolmognPelzGood(n, x);
  return clip(1 - cdf);
}
