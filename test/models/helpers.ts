/** Shared pieces of the spin-model tests (MADE, PixelCNN, TwoBo). */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { SpinModel } from "../../src/models/spin";
import type { Sample } from "../../src/models/types";
import { allStates, indexOfState } from "../../src/systems/observables";
import type { RandomOptions } from "../../src/core/random";

/** All 2^n configurations as a flat [2^n × n] array, in the project's index order (bit k ↔ spin k, 1 ↔ +1). */
export function allStateArrays(n: number): Float32Array {
  return tf.tidy(() => allStates(n).dataSync() as Float32Array);
}

/** The state index of row `off / n` of a flat configuration array. */
export function stateIndex(x: Float32Array, off: number, n: number): number {
  return indexOfState(x.subarray(off, off + n));
}

/**
 * The fast sampler's ln q equals one full evaluation, it draws the same spins
 * as the rerun-per-site reference sampler from the same seed (up to a flip of
 * a float-tied conditional per sample), and `sample` equals `sampleArrays`.
 */
export function checkFastSamplingMatchesFull(
  m: SpinModel & { sampleReference(batch: number, options?: RandomOptions): Sample },
  batch: number,
  label: string,
): void {
  const n = m.size;
  const s = m.sampleArrays(batch, { seed: 9 });
  const full = tf.tidy(() => m.logProb(tf.tensor2d(s.x, [batch, n])).dataSync());
  for (let b = 0; b < batch; b++) {
    assert.ok(Math.abs(full[b] - s.logProb[b]) < 2e-5 * Math.max(1, Math.abs(full[b])), `${label} row ${b}: ${full[b]} vs ${s.logProb[b]}`);
  }
  const r = m.sampleReference(batch, { seed: 9 });
  const rx = r.x.dataSync();
  let same = 0;
  for (let k = 0; k < rx.length; k++) if (rx[k] === s.x[k]) same++;
  assert.ok(same >= rx.length - n, `${label}: reference and fast samplers agree on ${same}/${rx.length} spins`);
  tf.dispose([r.x, r.logProb]);
  // the tensor API returns the same as the arrays API
  const t = m.sample(5, { seed: 2 });
  const a = m.sampleArrays(5, { seed: 2 });
  assert.deepEqual(Array.from(t.x.dataSync()), Array.from(a.x));
  tf.dispose([t.x, t.logProb]);
  checkSamplingWithoutLogProb(m, label);
}

/** `logProb: false` draws the same configurations from the same seed and leaves ln q as NaN; a bad value is named. */
export function checkSamplingWithoutLogProb(m: SpinModel, label: string): void {
  const withLq = m.sampleArrays(23, { seed: 4 });
  const without = m.sampleArrays(23, { seed: 4, logProb: false });
  assert.deepEqual(Array.from(without.x), Array.from(withLq.x), `${label}: same spins with and without ln q`);
  assert.ok(without.logProb.every((v) => Number.isNaN(v)), `${label}: ln q is NaN when not asked for`);
  assert.ok(withLq.logProb.every((v) => Number.isFinite(v)), `${label}: ln q is finite by default`);
  assert.throws(() => m.sampleArrays(2, { seed: 1, logProb: "no" as unknown as boolean }), /options\.logProb must be true or false/);
}
