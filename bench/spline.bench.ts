/**
 * Rational-quadratic spline couplings: milliseconds per training step through
 * the Boltzmann-generator driver, beside the affine coupling of the same
 * shape, for
 *  - flat couplings (splineFlow vs realNVP) on the 2-D double well, by energy
 *    and by example, and by energy on the 32-D many-well;
 *  - convolutional checkerboard couplings (convFlow with the spline transform
 *    vs the affine one) on lattice φ⁴ at L = 16 and 32 (m² = −4, λ = 8), by energy.
 * Each row also has CPU ms per step (all threads) and kernels per step: on a
 * shared machine wall time is inflated by the load, CPU time much less. A
 * spline training step has ~2.2× the kernels of the affine one for flat
 * couplings and ~1.6× for conv couplings (the CNN conditioner is shared);
 * measured 2026-12-01 (2 cores, load 5–25): CPU ms/step spline vs affine
 * 55 vs 19 (double well), 80 vs 16 (32-D many-well), 476 vs 289 (φ⁴ L = 16),
 * 1414 vs 737 (φ⁴ L = 32).
 */
import * as tf from "@tensorflow/tfjs";
import { boltzmannGenerator } from "../src/bg/generator";
import { trainBoltzmannGenerator, type LossKind } from "../src/bg/train";
import { ensureBackend } from "../src/core/backend";
import { realNVP } from "../src/flows/composite";
import { convFlow } from "../src/flows/convCoupling";
import { rationalQuadraticSpline } from "../src/flows/spline";
import { splineFlow } from "../src/flows/transformCoupling";
import type { Flow } from "../src/flows/types";
import { continuousMetropolis } from "../src/samplers/continuous";
import { phi4 } from "../src/systems/continuous/phi4";
import { doubleWell, manyWell } from "../src/systems/continuous/quartic";
import type { ContinuousSystem } from "../src/systems/types";
import type { BenchContext } from "./run";

/**
 * Fastest ms/step of `reps` runs of `steps` steps, after 3 warm-up steps
 * (kernel selection, allocation; on a shared machine other processes only
 * ever add time), the process's CPU time per step (all threads; less
 * sensitive to the machine's load than wall time) and the tfjs kernels of one
 * training step (machine-independent).
 */
async function timeSteps(flow: Flow, system: ContinuousSystem, loss: LossKind, batch: number, steps: number, reps: number, data?: tf.Tensor2D): Promise<{ ms: number; cpuMs: number; kernels: number }> {
  const model = boltzmannGenerator({ flow });
  try {
    const common = { system, beta: 1, loss, data, batch, dataBatch: batch, progress: false } as const;
    trainBoltzmannGenerator(model, { ...common, steps: 3, seed: 1 });
    let ms = Infinity, cpuMs = Infinity;
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage();
      ms = Math.min(ms, trainBoltzmannGenerator(model, { ...common, steps, seed: 2 + r }).msPerStep);
      const c = process.cpuUsage(c0);
      cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000 / steps);
    }
    const prof = await tf.profile(() => {
      trainBoltzmannGenerator(model, { ...common, steps: 1, seed: 9 });
    });
    return { ms, cpuMs, kernels: prof.kernels.length };
  } finally {
    model.dispose();
  }
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ensureBackend();
  const steps = ctx.fast ? 5 : 20;
  const reps = ctx.fast ? 1 : 3;
  // flat couplings on the double well
  const dw = doubleWell();
  const init = new Float64Array(200);
  for (let c = 0; c < 100; c++) init[2 * c] = c < 50 ? dw.wells.left[0] : dw.wells.right[0];
  const mc = continuousMetropolis(dw, { beta: 1, sweeps: 600, burnIn: 100, thin: 10, chains: 100, initial: init, keepSamples: true, seed: 1, stepSize: 0.3 });
  const data = tf.tensor2d(Float32Array.from(mc.samples as Float64Array), [mc.recorded * 100, 2]);
  const flat: Record<string, unknown>[] = [];
  const flatConfigs = ctx.fast
    ? [{ system: "doublewell", dim: 2, layers: 4, hidden: [64, 64], batch: 512, bins: 8 }]
    : [
        { system: "doublewell", dim: 2, layers: 4, hidden: [64, 64], batch: 512, bins: 8 },
        { system: "manywell", dim: 32, layers: 4, hidden: [64, 64], batch: 512, bins: 8 },
      ];
  for (const c of flatConfigs) {
    const system = c.system === "doublewell" ? dw : manyWell({ dim: c.dim });
    const row: Record<string, unknown> = { system: c.system, dim: c.dim, layers: c.layers, hidden: c.hidden.join("x"), batch: c.batch, bins: c.bins };
    for (const loss of (c.system === "doublewell" ? ["energy", "example"] : ["energy"]) as LossKind[]) {
      const d = loss === "example" ? data : undefined;
      const sp = await timeSteps(splineFlow({ dim: c.dim, layers: c.layers, hidden: c.hidden, bins: c.bins, seed: 1 }), system, loss, c.batch, steps, reps, d);
      const af = await timeSteps(realNVP({ dim: c.dim, layers: c.layers, hidden: c.hidden, seed: 1 }), system, loss, c.batch, steps, reps, d);
      Object.assign(row, { [`spline_msPerStep_${loss}`]: sp.ms, [`affine_msPerStep_${loss}`]: af.ms, [`spline_cpuMsPerStep_${loss}`]: sp.cpuMs, [`affine_cpuMsPerStep_${loss}`]: af.cpuMs, [`spline_kernelsPerStep_${loss}`]: sp.kernels, [`affine_kernelsPerStep_${loss}`]: af.kernels });
    }
    flat.push(row);
  }
  data.dispose();
  // convolutional couplings on φ⁴
  const conv: Record<string, unknown>[] = [];
  const convConfigs = ctx.fast ? [{ L: 16, layers: 2, batch: 32 }, { L: 32, layers: 2, batch: 16 }] : [{ L: 16, layers: 8, batch: 128 }, { L: 32, layers: 8, batch: 128 }];
  for (const c of convConfigs) {
    const system = phi4({ L: c.L, m2: -4, lambda: 8 });
    const hidden = [16, 16];
    const convSteps = ctx.fast ? 3 : c.L >= 32 ? 3 : 5;
    const row: Record<string, unknown> = { L: c.L, dim: c.L * c.L, layers: c.layers, hidden: hidden.join("x"), batch: c.batch, bins: 8, bound: 5, stepsTimed: convSteps };
    const convReps = Math.min(reps, 2);
    const sp = await timeSteps(convFlow({ L: c.L, layers: c.layers, hidden, transform: rationalQuadraticSpline({ bins: 8, bound: 5 }), seed: 1 }), system, "energy", c.batch, convSteps, convReps);
    const af = await timeSteps(convFlow({ L: c.L, layers: c.layers, hidden, seed: 1 }), system, "energy", c.batch, convSteps, convReps);
    Object.assign(row, { spline_msPerStep_energy: sp.ms, affine_msPerStep_energy: af.ms, spline_cpuMsPerStep_energy: sp.cpuMs, affine_cpuMsPerStep_energy: af.cpuMs, spline_kernelsPerStep_energy: sp.kernels, affine_kernelsPerStep_energy: af.kernels });
    conv.push(row);
  }
  return { stepsTimed: steps, reps, flat, conv };
}
