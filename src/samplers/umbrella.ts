/**
 * Umbrella sampling along the distance between two particles (Torrie &
 * Valleau, J. Comput. Phys. 23, 187, 1977): window k samples the biased
 * density p_k(x) ∝ e^{−βE(x) − u_k(d(x))} with the harmonic bias
 *
 *   u_k(d) = (κ_k/2) (d − c_k)²   (reduced, in kT),
 *
 * so that every window stays near its centre c_k, also on top of a barrier
 * (κ must exceed the barrier's curvature in kT). Each window is a run of
 * single-particle Metropolis (src/samplers/particleMoves.ts) through the one
 * Monte Carlo loop on the biased system `UmbrellaSystem`; windows run in the
 * order given, each starting from the previous window's final configuration
 * (the first from `initial`), so the solvent follows the coordinate. The
 * recorded distances of every window are what WHAM (src/stats/wham.ts)
 * combines into the unbiased free-energy profile.
 */
import * as tf from "@tensorflow/tfjs";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import { ContinuousChainState } from "./continuousMoves";
import { runChains } from "./driver";
import { initialPoints, isParticleSystem, particleMove, type ParticleSystem } from "./particleMoves";

/** A particle system with a harmonic bias (in kT) on the distance between particles p and q. */
export class UmbrellaSystem implements ParticleSystem {
  readonly kind = "continuous" as const;
  readonly dim: number;
  readonly name: string;
  readonly particles: number;
  readonly spatialDim: number;
  /** The system sampled at this bias is the base at β with `bias` added to βE. */
  readonly energyCut = null;

  constructor(
    readonly base: ParticleSystem,
    /** The two particles whose distance is biased. */
    readonly pair: readonly [number, number],
    /** Window centre c and reduced spring constant κ (kT per length²). */
    readonly center: number,
    readonly kappa: number,
    /** Inverse temperature the bias is divided by (E_bias = u/β). */
    readonly beta: number,
  ) {
    this.dim = base.dim;
    this.particles = base.particles;
    this.spatialDim = base.spatialDim;
    this.name = `${base.name} umbrella c=${center} kappa=${kappa}`;
  }

  /** Distance between the pair. */
  distance(x: ArrayLike<number>): number {
    const D = this.spatialDim;
    const [p, q] = this.pair;
    let s = 0;
    for (let k = 0; k < D; k++) s += (x[p * D + k] - x[q * D + k]) ** 2;
    return Math.sqrt(s);
  }

  /** The reduced bias u(d) = κ/2 (d − c)². */
  bias(d: number): number {
    return 0.5 * this.kappa * (d - this.center) ** 2;
  }

  energyOf(x: ArrayLike<number>): number {
    return this.base.energyOf(x) + this.bias(this.distance(x)) / this.beta;
  }

  particleEnergyOf(x: ArrayLike<number>, i: number): number {
    const e = this.base.particleEnergyOf(x, i);
    return i === this.pair[0] || i === this.pair[1] ? e + this.bias(this.distance(x)) / this.beta : e;
  }

  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const g = this.base.gradientOf(x, out);
    const d = this.distance(x);
    if (d > 0) {
      const D = this.spatialDim;
      const [p, q] = this.pair;
      const f = (this.kappa * (d - this.center)) / (this.beta * d);
      for (let k = 0; k < D; k++) {
        const dx = x[p * D + k] - x[q * D + k];
        g[p * D + k] += f * dx;
        g[q * D + k] -= f * dx;
      }
    }
    return g;
  }

  energy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const D = this.spatialDim;
      const [p, q] = this.pair;
      const a = tf.slice(x, [0, p * D], [-1, D]);
      const b = tf.slice(x, [0, q * D], [-1, D]);
      const d = tf.sqrt(tf.sum(tf.square(tf.sub(a, b)), 1));
      const u = tf.mul(tf.square(tf.sub(d, this.center)), (0.5 * this.kappa) / this.beta);
      return tf.add(this.base.energy(x), u) as tf.Tensor1D;
    });
  }
}

export interface UmbrellaOptions extends RandomOptions {
  /** A particle system (particles, spatialDim, particleEnergyOf), e.g. `dimer()`. */
  system: ParticleSystem;
  /** Window centres c_k of the distance, run in this order. */
  windows: ArrayLike<number>;
  /** Reduced spring constant κ (kT per length²), one for all windows or one per window. */
  kappa: number | ArrayLike<number>;
  /** Steps per window (one step moves every particle once), burn-in included. */
  sweeps: number;
  /** Steps discarded at the start of each window (default ⌊sweeps/5⌋). */
  burnIn?: number;
  /** Record the distance every `thin` steps (default 1). */
  thin?: number;
  /** Inverse temperature β (default 1). */
  beta?: number;
  /** Particles whose distance is the coordinate (default the system's `cvParticles`, else [0, 1]). */
  pair?: readonly [number, number];
  /** Half width of the single-particle displacement (default 0.1). */
  stepSize?: number;
  /** Chains per window (default 1). */
  chains?: number;
  /** Starting configuration of the first window (default `system.start({distance: windows[0]})` when the system has one). */
  initial?: ArrayLike<number>;
  /** Keep the recorded configurations of every window (default false). */
  keepSamples?: boolean;
  /** Progress bars (default automatic). */
  progress?: boolean;
}

/** One window's run. */
export interface UmbrellaWindow {
  center: number;
  kappa: number;
  /** Recorded distances, [recorded × chains] step-major. */
  values: Float64Array;
  acceptance: number;
  /** Final configurations [chains × dim]. */
  final: Float64Array;
  /** Recorded configurations when `keepSamples`, else null. */
  samples: Float64Array | null;
  elapsedMs: number;
}

export interface UmbrellaResult {
  beta: number;
  pair: readonly [number, number];
  chains: number;
  windows: UmbrellaWindow[];
  /** Centres, spring constants and recorded distances per window: what `wham` takes. */
  centers: Float64Array;
  kappa: Float64Array;
  values: Float64Array[];
  elapsedMs: number;
}

/** Umbrella sampling along a particle distance (see the module doc). */
export function umbrellaSampling(options: UmbrellaOptions): UmbrellaResult {
  const W = "umbrellaSampling";
  checkKeys(options, ["system", "windows", "kappa", "sweeps", "burnIn", "thin", "beta", "pair", "stepSize", "chains", "initial", "keepSamples", "progress", "seed", "rng"], W);
  const system = options?.system;
  if (system === undefined || system === null || !isParticleSystem(system)) throw new Error(`${W}: system must be a particle system (particles, spatialDim, particleEnergyOf)`);
  const cut = (system as { energyCut?: unknown }).energyCut;
  if (cut !== null && cut !== undefined) throw new Error(`${W}: system must have the true energy (build it without energyCut)`);
  const win = options.windows;
  if (win === undefined || win === null || typeof win.length !== "number" || win.length < 1) throw new Error(`${W}: windows must be a non-empty array of window centres`);
  const centers = Float64Array.from({ length: win.length }, (_, k) => checkNumber(win[k], `windows[${k}]`, W, { min: 0 }));
  const K = centers.length;
  const kap = options.kappa;
  let kappa: Float64Array;
  if (typeof kap === "number") kappa = new Float64Array(K).fill(checkNumber(kap, "kappa", W, { above: 0 }));
  else if (kap !== undefined && kap !== null && typeof kap.length === "number") {
    if (kap.length !== K) throw new Error(`${W}: kappa must be a number or one per window (${K}), got ${kap.length}`);
    kappa = Float64Array.from({ length: K }, (_, k) => checkNumber(kap[k], `kappa[${k}]`, W, { above: 0 }));
  } else throw new Error(`${W}: kappa must be a number > 0 or an array of them, got ${String(kap)}`);
  const sweeps = checkInteger(options.sweeps, "sweeps", W, { min: 2 });
  const burnIn = options.burnIn === undefined ? Math.floor(sweeps / 5) : checkInteger(options.burnIn, "burnIn", W, { min: 0, max: sweeps - 1 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", W, { min: 1 });
  if (Math.floor((sweeps - burnIn) / thin) < 2) throw new Error(`${W}: (sweeps − burnIn)/thin must leave at least 2 records per window, got ${Math.floor((sweeps - burnIn) / thin)}`);
  const beta = options.beta === undefined ? 1 : checkPositive(options.beta, "beta", W);
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", W, { min: 1 });
  const stepSize = options.stepSize === undefined ? 0.1 : checkNumber(options.stepSize, "stepSize", W, { above: 0 });
  const D = system.spatialDim;
  const defaultPair = (system as { cvParticles?: readonly number[] }).cvParticles;
  const pairIn = options.pair ?? (defaultPair !== undefined && defaultPair.length === 2 ? [defaultPair[0], defaultPair[1]] : [0, 1]);
  if (!Array.isArray(pairIn) || pairIn.length !== 2) throw new Error(`${W}: pair must be two particle indices`);
  const pair: [number, number] = [
    checkInteger(pairIn[0], "pair[0]", W, { min: 0, max: system.particles - 1 }),
    checkInteger(pairIn[1], "pair[1]", W, { min: 0, max: system.particles - 1 }),
  ];
  if (pair[0] === pair[1]) throw new Error(`${W}: pair must name two different particles, got [${pair.join(", ")}]`);
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${W}: progress must be a boolean`);
  let start: ArrayLike<number> | undefined = options.initial;
  const rng = resolveRng(options, W);
  if (start === undefined) {
    const s = system as unknown as { start?: (o: { distance: number; rng: typeof rng }) => Float64Array };
    if (typeof s.start !== "function") throw new Error(`${W}: initial must be given (the system has no start())`);
    start = s.start({ distance: Math.max(centers[0], 1e-3), rng });
  }
  let x = initialPoints(start, system.dim, chains, W);
  const windows: UmbrellaWindow[] = [];
  const t0 = performance.now();
  for (let k = 0; k < K; k++) {
    const biased = new UmbrellaSystem(system, pair, centers[k], kappa[k], beta);
    const state = new ContinuousChainState(biased, beta, chains, x, W);
    const r = runChains(state, particleMove({ stepSize }), {
      label: `${W} ${k + 1}/${K}`,
      total: sweeps,
      burnIn,
      thin,
      keepSamples: true,
      progress: options.progress,
      rng,
    });
    const samples = r.samples as Float64Array;
    const n = r.recorded * chains;
    const values = new Float64Array(n);
    const d = system.dim;
    for (let m = 0; m < n; m++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += (samples[m * d + pair[0] * D + j] - samples[m * d + pair[1] * D + j]) ** 2;
      values[m] = Math.sqrt(s);
    }
    windows.push({ center: centers[k], kappa: kappa[k], values, acceptance: r.acceptance, final: r.final, samples: options.keepSamples === true ? samples : null, elapsedMs: r.elapsedMs });
    x = Float64Array.from(r.final);
  }
  return { beta, pair, chains, windows, centers, kappa, values: windows.map((w) => w.values), elapsedMs: performance.now() - t0 };
}
