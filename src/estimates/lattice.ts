/**
 * Draws for estimates on Potts and XY systems: x ~ q in batches (`sampleArrays`
 * where the model has it, else `sample`), energies in float64 from `system.energyOf`, ln q from the
 * sampler, and the per-configuration observables that `importanceEstimates`
 * reweights (./importance.ts):
 * - Potts: `orderParameter` (q·max_k n_k/N − 1)/(q − 1);
 * - XY: `absMagnetizationPerSpin` |Σ e^{iθ}|/N, and on 2-D grids periodic in x
 *   `helicity` (C/N − β S²/N, whose Boltzmann mean is the helicity modulus Υ)
 *   and `vortexDensity` (vortices plus antivortices per site).
 */
import type { Rng } from "../core/random";
import { sampleSpins } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import { pottsOrderParameterOf } from "../systems/pottsObservables";
import type { PottsSystem, XYSystem } from "../systems/types";
import { xyHelicityOf, xyMagnetizationOf, xyVortexDensityOf } from "../systems/xyObservables";

export interface LatticeDraw {
  energy: Float64Array;
  logProb: Float64Array;
  observables: Record<string, Float64Array>;
}

/** Whether an XY system has the helicity and vortex observables (a 2-D grid, periodic along x, ≥ 3 columns). */
function hasXYGridObservables(system: XYSystem): boolean {
  const g = system.geometry;
  return g !== null && g.grid.length === 2 && g.periodic[1] && g.grid[1] >= 3 && g.grid[0] >= 2;
}

/** Draw `samples` configurations of `model` for `system` (see the module doc); β is needed for the XY helicity estimator. */
export function drawLatticeSamples(
  model: GenerativeModel,
  system: PottsSystem | XYSystem,
  o: { samples: number; batch: number; rng: Rng; beta: number },
): LatticeDraw {
  const n = system.n;
  const N = o.samples;
  const energy = new Float64Array(N);
  const logProb = new Float64Array(N);
  const names = system.kind === "potts" ? ["orderParameter"] : ["absMagnetizationPerSpin", ...(hasXYGridObservables(system) ? ["helicity", "vortexDensity"] : [])];
  const observables: Record<string, Float64Array> = {};
  for (const k of names) observables[k] = new Float64Array(N);
  for (let start = 0; start < N; start += o.batch) {
    const b = Math.min(o.batch, N - start);
    // typed arrays straight from models that have sampleArrays (the q-state ones), else through `sample`
    const { x, logProb: lq } = sampleSpins(model, b, { rng: o.rng });
    for (let k = 0; k < b; k++) {
      const row = x.subarray(k * n, (k + 1) * n);
      energy[start + k] = system.energyOf(row);
      logProb[start + k] = lq[k];
      if (system.kind === "potts") observables.orderParameter[start + k] = pottsOrderParameterOf(row, system.q);
      else {
        observables.absMagnetizationPerSpin[start + k] = xyMagnetizationOf(row).abs;
        if (observables.helicity !== undefined) {
          observables.helicity[start + k] = xyHelicityOf(system, row, o.beta);
          observables.vortexDensity[start + k] = xyVortexDensityOf(system, row);
        }
      }
    }
  }
  return { energy, logProb, observables };
}
