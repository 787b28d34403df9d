/**
 * Neural samplers for spin systems built on any GenerativeModel q:
 *
 * - `neuralMcmc`: q as an independence Metropolis–Hastings proposal,
 *   accepted with min(1, p(x′) q(x) / (p(x) q(x′))), p ∝ e^{−βE}; alone or
 *   alternated with local Metropolis sweeps. Exact for any q with full support,
 *   however poor (it then only mixes slowly).
 * - `importanceSampling`: unbiased Z (hence F with an O(1/n) bias in ln Z that
 *   is reported), E, S and observables from the weights w = e^{−βE − ln q}.
 */
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import { resolveRng, type RandomOptions } from "../core/random";
import { progress } from "../core/progress";
import type { GenerativeModel } from "../models/types";
import type { SpinSystem } from "../systems/types";
import { jackknife, kishEss, logMeanExp, weightedMean, type Stats } from "../stats";
import { checkModel, drawFromModel } from "./modelAccess";
import { checkSpinSystem } from "./spin";

// neuralMcmc lives in ./neuralMcmc.ts (a move run by the one Monte Carlo loop); re-exported for existing imports
export { neuralMcmc, type NeuralMcmcOptions } from "./neuralMcmc";

export interface ImportanceSamplingOptions extends RandomOptions {
  /** The proposal q. */
  model: GenerativeModel;
  /** Inverse temperature β > 0. */
  beta: number;
  /** Number of samples drawn from q. */
  samples: number;
  /** Samples per model call (default 1024). */
  batchSize?: number;
  /** Extra observables O(s) of one configuration (±1 entries), estimated as Σ w O / Σ w. */
  observables?: Record<string, (s: Float64Array) => number>;
  /** Jackknife blocks for F, S errors (default 100). */
  blocks?: number;
  /** Keep the configurations (default false). */
  keepSamples?: boolean;
  progress?: boolean;
}

export interface ImportanceSamplingResult {
  n: number;
  beta: number;
  /** ln Z = ln ⟨w⟩_q (⟨w⟩ is unbiased for Z), with its error and O(1/n) bias. */
  logZ: Stats & { bias: number };
  /** F/N = −ln Z / (βN). */
  freeEnergyPerSpin: Stats;
  /** ⟨E⟩/N, self-normalised Σ w E / Σ w. */
  energyPerSpin: Stats;
  /** S/N = β(⟨E⟩ − F)/N, jackknife error (correlations between ⟨E⟩ and F included). */
  entropyPerSpin: Stats;
  /** The variational free energy F_q/N = ⟨E + ln q / β⟩_q / N ≥ F/N (the VAN loss), plain mean. */
  variationalFreeEnergyPerSpin: Stats;
  /** Observables: absMagnetizationPerSpin, magnetizationPerSpin and the caller's, each Σ w O / Σ w. */
  observables: Record<string, Stats>;
  /** Kish effective sample size of the weights, and ESS / n. */
  ess: number;
  essFraction: number;
  /** ln w = −βE − ln q per sample. */
  logWeights: Float64Array;
  /** Energies per sample (float64, total not per spin). */
  energies: Float64Array;
  /** [samples × size] when keepSamples, else null. */
  samples: Float64Array | null;
  elapsedMs: number;
}

/**
 * Neural importance sampling of a spin system with proposal q. With
 * w = e^{−βE − ln q}: Z = ⟨w⟩_q exactly in expectation, ⟨O⟩ = ⟨w O⟩/⟨w⟩. The
 * errors are honest only when the weights are not dominated by a few samples:
 * check `essFraction`.
 */
export function importanceSampling(system: SpinSystem, options: ImportanceSamplingOptions): ImportanceSamplingResult {
  const where = "importanceSampling";
  checkSpinSystem(system, where);
  checkKeys(options, ["model", "beta", "samples", "batchSize", "observables", "blocks", "keepSamples", "progress", "seed", "rng"], where);
  const model = checkModel(options.model, system.n, where);
  const beta = checkPositive(options.beta, "beta", where);
  const N = checkInteger(options.samples, "samples", where, { min: 2 });
  const batch = options.batchSize === undefined ? 1024 : checkInteger(options.batchSize, "batchSize", where, { min: 1 });
  const blocks = options.blocks === undefined ? Math.min(100, N) : checkInteger(options.blocks, "blocks", where, { min: 2, max: N });
  const extra = options.observables ?? {};
  for (const [k, f] of Object.entries(extra)) if (typeof f !== "function") throw new Error(`${where}: observables.${k} must be a function of a configuration`);
  const rng = resolveRng(options, where);
  const n = system.n;
  const logw = new Float64Array(N);
  const energies = new Float64Array(N);
  const logq = new Float64Array(N);
  const names = ["magnetizationPerSpin", "absMagnetizationPerSpin", ...Object.keys(extra)];
  const obs: Record<string, Float64Array> = {};
  for (const k of names) obs[k] = new Float64Array(N);
  const samples = options.keepSamples === true ? new Float64Array(N * n) : null;
  const bar = progress({ total: N, label: where, enabled: options.progress });
  const t0 = performance.now();
  for (let start = 0; start < N; start += batch) {
    const b = Math.min(batch, N - start);
    const s = drawFromModel(model, b, rng);
    for (let k = 0; k < b; k++) {
      const row = s.x.subarray(k * n, (k + 1) * n);
      const e = system.energyOf(row);
      const idx = start + k;
      energies[idx] = e;
      logq[idx] = s.logProb[k];
      logw[idx] = -beta * e - s.logProb[k];
      let m = 0;
      for (let i = 0; i < n; i++) m += row[i];
      obs.magnetizationPerSpin[idx] = m / n;
      obs.absMagnetizationPerSpin[idx] = Math.abs(m) / n;
      for (const [name, f] of Object.entries(extra)) obs[name][idx] = f(row);
    }
    if (samples !== null) samples.set(s.x, start * n);
    bar.tick(b);
  }
  const lz = logMeanExp(logw, { method: "jackknife", blocks });
  const scale = 1 / (beta * n);
  const freeEnergyPerSpin: Stats = { mean: -lz.mean * scale, error: lz.error * scale, variance: lz.variance * scale * scale, n: N };
  const ePerSpin = Float64Array.from(energies, (e) => e / n);
  const energyPerSpin = weightedMean({ values: ePerSpin, logWeights: logw });
  // S/N = β(E − F)/N as a function of the means of w and w·E (shifted weights)
  let wmax = -Infinity;
  for (let k = 0; k < N; k++) if (logw[k] > wmax) wmax = logw[k];
  const w = Float64Array.from(logw, (l) => Math.exp(l - wmax));
  const we = Float64Array.from(w, (wk, k) => wk * ePerSpin[k]);
  const sj = jackknife({ series: [w, we], estimator: (m) => beta * (m[1] / m[0]) + (wmax + Math.log(m[0])) / n, blocks });
  const entropyPerSpin: Stats = { mean: sj.estimate, error: sj.error, variance: sj.variance, n: N };
  let fq = 0;
  for (let k = 0; k < N; k++) fq += (energies[k] + logq[k] / beta) / n;
  fq /= N;
  let fq2 = 0;
  for (let k = 0; k < N; k++) fq2 += ((energies[k] + logq[k] / beta) / n - fq) ** 2;
  const fqVar = fq2 / (N - 1);
  const observables: Record<string, Stats> = {};
  for (const k of names) {
    const wm = weightedMean({ values: obs[k], logWeights: logw });
    observables[k] = { mean: wm.mean, error: wm.error, variance: wm.variance, n: N };
  }
  const ess = kishEss(logw);
  const elapsedMs = performance.now() - t0;
  bar.done(`ESS ${(ess / N).toFixed(3)}`);
  return {
    n: N,
    beta,
    logZ: { mean: lz.mean, error: lz.error, variance: lz.variance, n: N, bias: lz.bias },
    freeEnergyPerSpin,
    energyPerSpin: { mean: energyPerSpin.mean, error: energyPerSpin.error, variance: energyPerSpin.variance, n: N },
    entropyPerSpin,
    variationalFreeEnergyPerSpin: { mean: fq, error: Math.sqrt(fqVar / N), variance: fqVar, n: N },
    observables,
    ess,
    essFraction: ess / N,
    logWeights: logw,
    energies,
    samples,
    elapsedMs,
  };
}
