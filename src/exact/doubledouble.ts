/**
 * Double-double ("dd") arithmetic helpers: a number is an unevaluated sum
 * hi + lo of two float64 with |lo| ≤ ulp(hi)/2, about 106 bits (≈ 32 digits).
 * Error-free transformations (Knuth's two-sum, Dekker's two-product with
 * the 2^27 + 1 splitter; no FMA in JavaScript), as in Bailey's QD library.
 * The hot loops (pfaffian.ts) inline these; the functions here serve the
 * code around them. Results are returned through a scratch pair to avoid
 * allocating.
 */

/** Scratch result of the dd operations below: value = DD.hi + DD.lo. */
export const DD = { hi: 0, lo: 0 };

const SPLIT = 134217729; // 2^27 + 1

/** (ah + al) + (bh + bl) → DD. */
export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  const e = ah - (s - bb) + (bh - bb) + al + bl;
  const hi = s + e;
  DD.lo = e - (hi - s);
  DD.hi = hi;
}

/** (ah + al) · (bh + bl) → DD. */
export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  let t = SPLIT * ah;
  const ahh = t - (t - ah);
  const ahl = ah - ahh;
  t = SPLIT * bh;
  const bhh = t - (t - bh);
  const bhl = bh - bhh;
  const e = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (ah * bl + al * bh);
  const hi = p + e;
  DD.lo = e - (hi - p);
  DD.hi = hi;
}

/** (ah + al) / (bh + bl) → DD (long division in three float64 steps, ≈ 104 bits). */
export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -DD.hi, -DD.lo);
  const rh = DD.hi;
  const rl = DD.lo;
  const q2 = rh / bh;
  ddMul(q2, 0, bh, bl);
  ddAdd(rh, rl, -DD.hi, -DD.lo);
  const q3 = DD.hi / bh;
  ddAdd(q1, 0, q2, 0);
  ddAdd(DD.hi, DD.lo, q3, 0);
}

/** Natural log of a positive dd number hi + lo, to float64 precision. */
export function ddLog(hi: number, lo: number): number {
  return Math.log(hi) + Math.log1p(lo / hi);
}

/**
 * tanh(x) as a dd number, accurate to ≈ 1e-16 relative in 1 − tanh²(x) as
 * well as in tanh(x): tanh x = sign(x)·(1 − q)/(1 + q), q = exp(−2|x|), the
 * 1 ∓ q formed exactly. (The float64 rounding of q perturbs x by ≈ 1e-16,
 * the conditioning of the physics; a float64 tanh near ±1 would perturb x by
 * ≈ 1e-16·e^{2|x|}.)
 */
export function ddTanh(x: number): void {
  const q = Math.exp(-2 * Math.abs(x));
  // 1 − q and 1 + q exactly as dd
  ddAdd(1, 0, -q, 0);
  const nh = DD.hi;
  const nl = DD.lo;
  ddAdd(1, 0, q, 0);
  ddDiv(nh, nl, DD.hi, DD.lo);
  if (x < 0) {
    DD.hi = -DD.hi;
    DD.lo = -DD.lo;
  }
}
