/**
 * Small dense linear algebra in float64 on the JS side (n up to a few
 * hundred): the inverse by Gauss–Jordan elimination with partial pivoting and
 * the matrix product, for the inverse-Ising inversions (meanfield/inverse.ts)
 * and the preconditioned likelihood steps (train/inverseIsing.ts).
 */

/** The inverse of an n×n matrix (row-major, float64) by Gauss–Jordan elimination with partial pivoting; throws on a singular matrix. */
export function invertMatrix(a: ArrayLike<number>, n: number, where = "invertMatrix"): Float64Array {
  if (a.length !== n * n) throw new Error(`${where}: matrix has ${a.length} entries, expected ${n}×${n}`);
  const w = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.abs(w[k]));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(w[r * n + col]) > Math.abs(w[piv * n + col])) piv = r;
    const pv = w[piv * n + col];
    if (!(Math.abs(pv) > 1e-13 * scale)) throw new Error(`${where}: the matrix is singular (pivot ${pv} in column ${col})`);
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        let t = w[col * n + k]; w[col * n + k] = w[piv * n + k]; w[piv * n + k] = t;
        t = inv[col * n + k]; inv[col * n + k] = inv[piv * n + k]; inv[piv * n + k] = t;
      }
    }
    for (let k = 0; k < n; k++) { w[col * n + k] /= pv; inv[col * n + k] /= pv; }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = w[r * n + col];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) { w[r * n + k] -= f * w[col * n + k]; inv[r * n + k] -= f * inv[col * n + k]; }
    }
  }
  return inv;
}

/** The product A·B of two n×n matrices (row-major, float64). */
export function matMul(A: ArrayLike<number>, B: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      if (a !== 0) for (let j = 0; j < n; j++) out[i * n + j] += a * B[k * n + j];
    }
  }
  return out;
}
