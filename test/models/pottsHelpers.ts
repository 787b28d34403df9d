/** Shared checks of the q-state models (PottsMade, PottsPixelCnn). */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { AutoregressivePottsModel } from "../../src/models/potts";
import { chiSquare } from "../../src/stats/chisquare";

/** All q^n configurations, [q^n × n] row-major, site 0 the fastest digit. */
export function allPottsStates(n: number, q: number): Float32Array {
  const total = q ** n;
  const x = new Float32Array(total * n);
  for (let c = 0; c < total; c++) {
    let v = c;
    for (let i = 0; i < n; i++) {
      x[c * n + i] = v % q;
      v = Math.floor(v / q);
    }
  }
  return x;
}

/** Index of a configuration in `allPottsStates` order. */
export function pottsIndex(x: ArrayLike<number>, off: number, n: number, q: number): number {
  let c = 0;
  for (let i = n - 1; i >= 0; i--) c = c * q + x[off + i];
  return c;
}

/** Σ q over all q^n states = 1 (float64 sum of the float32 tensor ln q, and of logProbArrays); returns the probabilities. */
export function checkNormalised(m: AutoregressivePottsModel, label: string, tol = 1e-5): Float64Array {
  const n = m.size;
  const total = m.q ** n;
  const x = allPottsStates(n, m.q);
  const lq = tf.tidy(() => m.logProb(tf.tensor2d(x, [total, n])).dataSync());
  const arr = m.logProbArrays(x, total);
  let s = 0;
  let s64 = 0;
  const p = new Float64Array(total);
  for (let c = 0; c < total; c++) {
    s += Math.exp(lq[c]);
    p[c] = Math.exp(arr[c]);
    s64 += p[c];
    assert.ok(Math.abs(lq[c] - arr[c]) < 2e-5 * Math.max(1, Math.abs(arr[c])), `${label}: tensor ${lq[c]} vs arrays ${arr[c]} at ${c}`);
  }
  assert.ok(Math.abs(s - 1) < tol, `${label}: Σ q (tensor ln q) = ${s}`);
  assert.ok(Math.abs(s64 - 1) < tol, `${label}: Σ q (arrays ln q) = ${s64}`);
  return p;
}

/** Sampled histogram against the model's probabilities: chi-square p > 1e-3 (fixed seed). */
export function checkHistogram(m: AutoregressivePottsModel, p: Float64Array, samples: number, label: string): void {
  const n = m.size;
  const s = m.sampleArrays(samples, { seed: 31 });
  const counts = new Float64Array(p.length);
  for (let b = 0; b < samples; b++) counts[pottsIndex(s.x, b * n, n, m.q)]++;
  const r = chiSquare({ observed: counts, expected: p });
  assert.ok(r.pValue > 1e-3, `${label}: chi2 ${r.chi2.toFixed(1)} on ${r.dof} dof, p = ${r.pValue}`);
  // and every sample's ln q is the model's
  for (let b = 0; b < Math.min(samples, 200); b++) {
    const c = pottsIndex(s.x, b * n, n, m.q);
    assert.ok(Math.abs(s.logProb[b] - Math.log(p[c])) < 2e-5 * Math.max(1, Math.abs(s.logProb[b])), `${label}: sample ${b} ln q`);
  }
}

/** Fast sampler: its ln q equals a full pass, it draws what the reference sampler draws, tensors equal arrays, logProb: false keeps the draws. */
export function checkFastSampler(m: AutoregressivePottsModel, batch: number, label: string): void {
  const n = m.size;
  const s = m.sampleArrays(batch, { seed: 9 });
  const full = tf.tidy(() => m.logProb(tf.tensor2d(s.x, [batch, n])).dataSync());
  for (let b = 0; b < batch; b++) {
    assert.ok(Math.abs(full[b] - s.logProb[b]) < 2e-5 * Math.max(1, Math.abs(full[b])), `${label} row ${b}: ${full[b]} vs ${s.logProb[b]}`);
  }
  const r = m.sampleReference(batch, { seed: 9 });
  let same = 0;
  for (let k = 0; k < r.x.length; k++) if (r.x[k] === s.x[k]) same++;
  assert.ok(same >= r.x.length - n, `${label}: reference and fast samplers agree on ${same}/${r.x.length} sites`);
  for (let b = 0; b < batch; b++) assert.ok(Math.abs(r.logProb[b] - full[b]) < 2e-5 * Math.max(1, Math.abs(full[b])) || r.x[b * n] !== s.x[b * n]);
  const t = m.sample(5, { seed: 2 });
  const a = m.sampleArrays(5, { seed: 2 });
  assert.deepEqual(Array.from(t.x.dataSync()), Array.from(a.x));
  tf.dispose([t.x, t.logProb]);
  const without = m.sampleArrays(23, { seed: 4, logProb: false });
  const withLq = m.sampleArrays(23, { seed: 4 });
  assert.deepEqual(Array.from(without.x), Array.from(withLq.x), `${label}: same draws with and without ln q`);
  assert.ok(without.logProb.every((v) => Number.isNaN(v)));
  for (const v of withLq.x) assert.ok(Number.isInteger(v) && v >= 0 && v < m.q, `${label}: state ${v}`);
}

/** A symmetric model gives every relabelling of a configuration the same ln q (all q! for "mixture", the cyclic shifts for "first-state"). */
export function checkRelabellingInvariance(m: AutoregressivePottsModel, label: string): void {
  const n = m.size;
  const q = m.q;
  const s = m.sampleArrays(6, { seed: 5 });
  const base = m.logProbArrays(s.x, 6);
  for (let c = 1; c < q; c++) {
    const shifted = s.x.map((v) => (v + c) % q);
    const lq = m.logProbArrays(shifted, 6);
    for (let b = 0; b < 6; b++) assert.ok(Math.abs(lq[b] - base[b]) < 1e-9, `${label}: shift ${c} row ${b}`);
  }
  if (m.symmetry === "mixture") {
    const swapped = s.x.map((v) => (v === 0 ? 1 : v === 1 ? 0 : v));
    const lq = m.logProbArrays(swapped, 6);
    for (let b = 0; b < 6; b++) assert.ok(Math.abs(lq[b] - base[b]) < 1e-9, `${label}: swap 0↔1 row ${b}`);
  }
  void n;
}
