/**
 * Monte Carlo for XY systems, each a `Move` on `XYChainState` run by the one
 * loop (`runChains`):
 *
 * - `xyMetropolisMove`: sweeps over the sites in order; θ_i → θ_i + δ(2u − 1)
 *   accepted with min(1, e^{−βΔE}), ΔE = −(H_x Δcos + H_y Δsin) from the local
 *   field H = Σ_j J_ij (cos θ_j, sin θ_j) + (h, 0). The step δ ≤ π adapts
 *   during the first `adaptSteps` steps only (the burn-in, in `xyMetropolis`):
 *   after every sweep δ ← δ · exp(a − a*) with a that sweep's acceptance and
 *   a* the target (default 0.5); then it is frozen, so the recorded chain is
 *   time-homogeneous and exactly Boltzmann-invariant. `acceptance` counts the
 *   frozen steps only (all steps when there was no adaptation);
 * - `xyWolffMove`: Wolff's embedding (1989): a random unit vector
 *   r = (cos φ, sin φ) per cluster; spins reflect across the line ⟂ r,
 *   s → s − 2(r·s) r, i.e. θ → π + 2φ − θ; from a random seed, the bond to a
 *   neighbour j joins with probability 1 − exp(min(0, −2βJ_ij (r·s_i)(r·s_j)))
 *   (s_i before its reflection). Valid for any sign of J (the embedded Ising
 *   couplings J_ij|r·s_i||r·s_j| may be frustrated; efficient for ferromagnets);
 *   needs h = 0. ΔE = Σ_{boundary bonds} 2 J_ij (r·s_i)(r·s_j).
 *
 * Public samplers `xyMetropolis` and `xyWolff` take the shared
 * `SamplerOptions`; observables energyPerSpin, absMagnetizationPerSpin,
 * magnetizationX/Y, and helicityModulus / vortexDensity where the geometry
 * allows (see pottsState.ts). For Wolff a "sweep" is one cluster.
 */
import type { Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber } from "../core/validate";
import type { XYSystem } from "../systems/types";
import { resolveSamplerOptions } from "./common";
import { runResolved, type Move, type MoveReport } from "./driver";
import { XYChainState } from "./pottsState";
import type { SamplerOptions, SamplerResult } from "./types";

const TWO_PI = 2 * Math.PI;
const TWO32 = 4294967296;
/** Steps between recomputations of cos, sin, energy and magnetisation from the angles (rounding drift). */
const RESYNC_STEPS = 256;

export interface XYMetropolisMoveOptions {
  /** Initial proposal half-width δ in radians, 0 < δ ≤ π (default 1). */
  step?: number;
  /** Steps during which δ adapts (default 0: fixed δ). `xyMetropolis` sets it to burnIn. */
  adaptSteps?: number;
  /** Target acceptance of the adaptation (default 0.5). */
  targetAcceptance?: number;
}

/** Metropolis sweeps with a uniform step of half-width δ, adapted during the first `adaptSteps` steps only (see the module doc). */
export function xyMetropolisMove(options: XYMetropolisMoveOptions = {}): Move<XYChainState> & { readonly stepSize: number } {
  const where = "xyMetropolisMove";
  checkKeys(options, ["step", "adaptSteps", "targetAcceptance"], where);
  const step0 = checkNumber(options.step ?? 1, "step", where, { above: 0, max: Math.PI });
  const adaptSteps = checkInteger(options.adaptSteps ?? 0, "adaptSteps", where, { min: 0 });
  const target = checkNumber(options.targetAcceptance ?? 0.5, "targetAcceptance", where, { above: 0, max: 0.99 });
  let delta = step0;
  let accepted = 0;
  let tried = 0;
  let steps = 0;
  const move = {
    name: "xyMetropolis",
    get stepSize() {
      return delta;
    },
    init() {
      delta = step0;
      accepted = 0;
      tried = 0;
      steps = 0;
    },
    cost: (st: XYChainState) => st.size * st.chains,
    step(st: XYChainState, rng: Rng) {
      const { theta, cos, sin, energy, mx, my, beta, size: n } = st;
      const { offsets, index, J } = st.system.neighbors;
      const hf = st.system.h;
      const width = 2 * delta;
      let acc = 0;
      for (let c = 0; c < st.chains; c++) {
        const off = c * n;
        let dEsum = 0;
        let dx = 0;
        let dy = 0;
        for (let i = 0; i < n; i++) {
          let Hx = hf;
          let Hy = 0;
          for (let p = offsets[i], e = offsets[i + 1]; p < e; p++) {
            const j = off + index[p];
            Hx += J[p] * cos[j];
            Hy += J[p] * sin[j];
          }
          let a = theta[off + i] + width * (rng.uniform32() - 0.5);
          if (a < 0) a += TWO_PI;
          else if (a >= TWO_PI) a -= TWO_PI;
          const ca = Math.cos(a);
          const sa = Math.sin(a);
          const dc = ca - cos[off + i];
          const ds = sa - sin[off + i];
          const d = -(Hx * dc + Hy * ds);
          if (d > 0 && rng.uniform32() >= Math.exp(-beta * d)) continue;
          theta[off + i] = a;
          cos[off + i] = ca;
          sin[off + i] = sa;
          dEsum += d;
          dx += dc;
          dy += ds;
          acc++;
        }
        energy[c] += dEsum;
        mx[c] += dx;
        my[c] += dy;
      }
      steps++;
      if (steps % RESYNC_STEPS === 0) for (let c = 0; c < st.chains; c++) st.recompute(c);
      if (acc > 0) st.version++;
      if (steps <= adaptSteps) {
        const a = acc / (n * st.chains);
        delta = Math.min(Math.PI, Math.max(1e-4, delta * Math.exp(a - target)));
      } else {
        accepted += acc;
        tried += n * st.chains;
      }
    },
    report(st: XYChainState): MoveReport {
      const acceptance = tried > 0 ? accepted / tried : NaN;
      return {
        acceptance,
        updates: steps * st.size * st.chains,
        diagnostics: { sweepsPerStep: 1, stepSize: delta, adaptSteps, targetAcceptance: target },
        summary: `acceptance ${acceptance.toFixed(3)}, step ${delta.toFixed(3)}`,
      };
    },
    status: () => `step ${delta.toFixed(3)}`,
  };
  return move;
}

/**
 * One Wolff reflection cluster per chain and step (h = 0; `init` refuses
 * fields). `acceptance` = mean cluster size / n = `sweepsPerStep`.
 */
export function xyWolffMove(): Move<XYChainState> {
  let flipped = 0;
  let clusters = 0;
  let steps = 0;
  let queue = new Int32Array(0);
  let stamp = new Int32Array(0);
  let proj = new Float64Array(0);
  let mark = 0;
  return {
    name: "xyWolff",
    init(st, where) {
      if (st.system.h !== 0) throw new Error(`${where}: Wolff reflection clusters need h = 0; ${st.system.name} has h = ${st.system.h}. Use xyMetropolis instead.`);
      queue = new Int32Array(st.size);
      stamp = new Int32Array(st.size);
      proj = new Float64Array(st.size);
      mark = 0;
      flipped = 0;
      clusters = 0;
      steps = 0;
    },
    cost: (st) => 0.1 * st.size * st.chains,
    step(st, rng) {
      const { theta, cos, sin, energy, mx, my, beta, size: n } = st;
      const { offsets, index, J } = st.system.neighbors;
      const m2b = -2 * beta;
      for (let c = 0; c < st.chains; c++) {
        const off = c * n;
        if (++mark >= 0x7fffffff) {
          stamp.fill(0);
          mark = 1;
        }
        const phi = TWO_PI * rng.uniform();
        const rx = Math.cos(phi);
        const ry = Math.sin(phi);
        const twoPhiPi = 2 * phi + Math.PI;
        const seed = rng.int(n);
        let head = 0;
        let size = 1;
        queue[0] = seed;
        stamp[seed] = mark;
        proj[seed] = rx * cos[off + seed] + ry * sin[off + seed];
        while (head < size) {
          const i = queue[head++];
          const pi = proj[i];
          for (let k = offsets[i], e = offsets[i + 1]; k < e; k++) {
            const j = index[k];
            if (stamp[j] === mark) continue;
            const pj = rx * cos[off + j] + ry * sin[off + j];
            const x = m2b * J[k] * pi * pj;
            if (x >= 0) continue;
            // P(bond) = 1 − e^x as a 32-bit threshold
            if (rng.nextU32() < -Math.expm1(x) * TWO32) {
              stamp[j] = mark;
              proj[j] = pj;
              queue[size++] = j;
            }
          }
        }
        // ΔE over the boundary bonds, with the projections before reflection
        let dE = 0;
        let sp = 0;
        for (let t = 0; t < size; t++) {
          const i = queue[t];
          const pi = proj[i];
          sp += pi;
          for (let k = offsets[i], e = offsets[i + 1]; k < e; k++) {
            const j = index[k];
            if (stamp[j] === mark) continue;
            dE += 2 * J[k] * pi * (rx * cos[off + j] + ry * sin[off + j]);
          }
        }
        for (let t = 0; t < size; t++) {
          const i = off + queue[t];
          let a = twoPhiPi - theta[i];
          a -= TWO_PI * Math.floor(a / TWO_PI);
          theta[i] = a;
          cos[i] = Math.cos(a);
          sin[i] = Math.sin(a);
        }
        energy[c] += dE;
        mx[c] -= 2 * sp * rx;
        my[c] -= 2 * sp * ry;
        flipped += size;
      }
      clusters += st.chains;
      steps++;
      if (steps % RESYNC_STEPS === 0) for (let c = 0; c < st.chains; c++) st.recompute(c);
      st.version++;
    },
    report(st, elapsedMs): MoveReport {
      const meanClusterSize = clusters > 0 ? flipped / clusters : NaN;
      return {
        acceptance: meanClusterSize / st.size,
        updates: flipped,
        diagnostics: { meanClusterSize, sweepsPerStep: meanClusterSize / st.size, clustersPerSecond: clusters / (elapsedMs / 1000) },
        summary: `mean cluster ${meanClusterSize.toFixed(1)}`,
      };
    },
  };
}

/** Checks an XYSystem argument. */
export function checkXYSamplerSystem(system: XYSystem, where: string): void {
  if (system === null || typeof system !== "object" || system.kind !== "xy") throw new Error(`${where}: system must be an XYSystem (kind "xy")`);
}

/**
 * Run any move on XY chains with the shared `SamplerOptions` (`initial`:
 * finite angles). `extraKeys` are option keys the caller consumed itself.
 */
export function runXYMove(system: XYSystem, move: Move<XYChainState>, options: SamplerOptions, label = "runXYMove", extraKeys: readonly string[] = []): SamplerResult {
  checkXYSamplerSystem(system, label);
  if (move === null || typeof move !== "object" || typeof move.step !== "function" || typeof move.report !== "function") throw new Error(`${label}: move must be a Move (with step, cost and report)`);
  const o = resolveSamplerOptions(options, system.n, label, extraKeys);
  if (o.initial !== null) {
    for (let k = 0; k < o.initial.length; k++) if (!Number.isFinite(o.initial[k])) throw new Error(`${label}: initial[${k}] = ${o.initial[k]} is not a finite angle`);
  }
  const state = new XYChainState(system, o.chains, o.beta);
  return runResolved(state, move, o, label);
}

export interface XYMetropolisOptions extends SamplerOptions {
  /** Initial proposal half-width δ in radians, 0 < δ ≤ π (default 1); adapted during burn-in. */
  step?: number;
  /** Target acceptance of the burn-in adaptation (default 0.5). */
  targetAcceptance?: number;
  /** Adapt δ during burn-in (default true; false keeps `step` throughout). */
  adapt?: boolean;
}

/**
 * XY Metropolis with a step adapted during burn-in to the target acceptance
 * and frozen afterwards (`diagnostics.stepSize` is the frozen δ).
 */
export function xyMetropolis(system: XYSystem, options: XYMetropolisOptions): SamplerResult {
  const where = "xyMetropolis";
  checkXYSamplerSystem(system, where);
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  const adapt = options.adapt ?? true;
  if (typeof adapt !== "boolean") throw new Error(`${where}: adapt must be true or false, got ${String(adapt)}`);
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", where, { min: 0 });
  const move = xyMetropolisMove({
    step: checkNumber(options.step ?? 1, "step", where, { above: 0, max: Math.PI }),
    targetAcceptance: checkNumber(options.targetAcceptance ?? 0.5, "targetAcceptance", where, { above: 0, max: 0.99 }),
    adaptSteps: adapt ? burnIn : 0,
  });
  return runXYMove(system, move, options, where, ["step", "targetAcceptance", "adapt"]);
}

/** XY Wolff reflection clusters (h = 0); one "sweep" = one cluster per chain (see the module doc). */
export function xyWolff(system: XYSystem, options: SamplerOptions): SamplerResult {
  return runXYMove(system, xyWolffMove(), options, "xyWolff");
}
