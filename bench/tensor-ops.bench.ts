/** Per-op overhead of the active tfjs backend: the unit that every design choice here trades against. */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../src/core/backend";
import type { BenchContext } from "./run";

export async function run(ctx: BenchContext): Promise<Record<string, number>> {
  ensureBackend();
  const reps = ctx.fast ? 200 : 2000;
  const a = tf.ones([4, 4]);
  for (let k = 0; k < 50; k++) tf.tidy(() => tf.add(a, 1).dataSync());
  let t = performance.now();
  for (let k = 0; k < reps; k++) tf.tidy(() => tf.add(a, 1));
  const smallOpUs = ((performance.now() - t) * 1000) / reps;
  const m = tf.randomNormal([256, 1024]);
  const w = tf.randomNormal([1024, 1024]);
  t = performance.now();
  const mm = ctx.fast ? 5 : 20;
  for (let k = 0; k < mm; k++) tf.tidy(() => tf.matMul(m, w).dataSync());
  const matmulMs = (performance.now() - t) / mm;
  tf.dispose([a, m, w]);
  return { smallOpMicroseconds: smallOpUs, matmul256x1024x1024Ms: matmulMs, gflops: (2 * 256 * 1024 * 1024) / (matmulMs * 1e6) };
}
