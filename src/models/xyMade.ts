/**
 * XY-MADE: a masked autoregressive model of N angles θ_i ∈ [0, 2π) (planar
 * rotors, the XY model's configurations) with a mixture of K von Mises
 * densities as the conditional of every site:
 *
 *   q(θ) = Π_i q_i(θ_i | θ_<i),
 *   q_i(θ | ·) = Σ_k w_ik exp(κ_ik cos(θ − μ_ik)) / (2π I₀(κ_ik)),
 *
 * so ln q(θ) = Σ_i ln Σ_k w_ik e^{κ_ik cos(θ_i − μ_ik)}/(2π I₀(κ_ik)) is
 * exact (up to the I₀ approximation below) and every conditional is a
 * normalised density on the circle. Why von Mises mixtures: the von Mises
 * density is the circle's maximum-entropy law at fixed mean direction and the
 * exact conditional of an open XY chain given its neighbour, q(θ_i | θ_{i−1})
 * ∝ e^{βJ cos(θ_i − θ_{i−1})}; mixtures of K of them capture the
 * multi-neighbour, skewed and multimodal conditionals of rings and lattices,
 * sample exactly (Best–Fisher) and have a closed-form normaliser.
 *
 * Network: MADE's masked dense layers (madeLayers.ts, site-major) with 2
 * input units per site, (cos θ_j, sin θ_j), and 4K outputs per site: K
 * mixture logits (w = softmax), K pairs (m_x, m_y) giving the mean direction
 * μ = atan2(m_y, m_x) (used as the unit vector m/|m|, so no angle is ever
 * unwrapped), and K raw concentrations r with κ = min(softplus(r), kappaMax).
 * The first layer is exclusive, so site i's outputs see θ_j, j < i, only.
 *
 * ln I₀: Abramowitz & Stegun 9.8.1 (κ ≤ 3.75, polynomial in (κ/3.75)²),
 * 9.8.2 (3.75 < κ < 20, √κ e^{−κ} I₀(κ) as a polynomial in 3.75/κ) and, for
 * κ ≥ 20, the asymptotic series I₀(κ) ~ e^κ/√(2πκ) Σ_k ((2k−1)!!)²/(k!(8κ)^k)
 * (8 terms, error < 1e-10; 9.8.2's own error grows to ≈ 5e-7 there):
 * measured |error of ln I₀| < 1e-7 for every κ ≥ 0 against the float64 power
 * series (the tests check < 2e-7), so each conditional integrates to 1
 * within 1e-7. The model works with ln(I₀(κ) e^{−κ}) and
 * κ(cos Δ − 1) = −κ|v − u|²/2 (v, u the unit vectors of θ and μ), which stays
 * accurate in float32 at large κ.
 *
 * Symmetry (option `symmetry`):
 * - "none" (default): site 0's conditional is a learned mixture like the others.
 * - "uniformFirst": q(θ_0) = 1/(2π) (κ_0 = 0). Harmless for rotation-symmetric
 *   systems (h = 0), where the exact marginal of θ_0 is uniform.
 * - "rotation": exact invariance under global rotations θ → θ + φ: θ_0 is
 *   uniform and the network sees and models the angles relative to it,
 *   φ_i = θ_i − θ_0, so q(θ) = (1/2π) Π_{i≥1} q_i(φ_i | φ_<i) (the shift has
 *   unit Jacobian, so this is normalised). A uniform random global rotation
 *   of a non-invariant model would be exact only as a continuous mixture
 *   (ln q intractable); measuring angles from θ_0 gives the same invariance
 *   with ln q exact. Only for h = 0.
 *
 * Sampling (`sample`, `sampleAngles`; deliberately not named `sampleArrays`,
 * so the ±1 spin code paths never take this model for a spin model) is site by site on the JS side in
 * float64 typed arrays with MADE's caching trick (madeSampler.ts): the first
 * layer's pre-activations are updated by a rank-2 update per sampled angle
 * and only site i's block of the later layers is computed from the prefixes
 * already known, so a configuration costs one forward pass of work, not N.
 * The mixture component is drawn from w, the angle from the von Mises law by
 * Best & Fisher's (1979) wrapped-Cauchy rejection, all from the seeded `Rng`;
 * ln q is accumulated in float64 on the way. Angles come back in [0, 2π).
 *
 * Training: `bz.train.trainVan({ system: xy, model, beta, steps, batch, lr })`
 * with an `XYSystem` (src/systems/types.ts) runs the REINFORCE objective of
 * the training driver (`reinforceObjective`, generic path: x and ln q from
 * `sample`, E from `system.energyOf` in float64); the history's `absMagnetization` is
 * |Σ_i (cos θ_i, sin θ_i)|/N. Checkpoints store `config()`, and
 * `loadModel`/`modelFromConfig` rebuild it (registry type "xymade").
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkBoolean, checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { buildMadeLayers, madeLogits, type MadeLayer, type MadeNet } from "./madeLayers";
import { checkModelConfig, type ModelConfig } from "./spin";
import type { GenerativeModel, Sample } from "./types";

const TWO_PI = 2 * Math.PI;
const LN_2PI = Math.log(TWO_PI);
/** Raw network outputs are clipped to ±this (far beyond any useful logit; keeps overflow out). */
const OUTPUT_BOUND = 1e4;
/** Added to |m|² before normalising the mean direction (no division by 0; negligible for |m| ≫ 1e-10). */
const DIRECTION_EPS = 1e-20;

export type XyMadeSymmetry = "none" | "uniformFirst" | "rotation";

export interface XyMadeOptions extends RandomOptions {
  /** Number of angles N (≥ 1). */
  size: number;
  /** Von Mises components K per conditional (≥ 1; default 4). */
  components?: number;
  /** Number of masked dense layers (≥ 1; default 2). */
  depth?: number;
  /** Hidden units per site: each hidden layer has width·N units (default 4). */
  width?: number;
  /** Hidden-to-hidden layers as residual blocks (default false). */
  residual?: boolean;
  /** Biases in the masked layers (default true; without them site 0 has no parameters and its conditional is uniform). */
  bias?: boolean;
  /** Upper bound of every concentration κ = min(softplus(r), kappaMax) (default 200, at most 1e4). */
  kappaMax?: number;
  /** Global U(1) symmetry handling: "none" (default), "uniformFirst" or "rotation" (see the module doc). */
  symmetry?: XyMadeSymmetry;
}

const KNOWN = ["size", "components", "depth", "width", "residual", "bias", "kappaMax", "symmetry", "seed", "rng"] as const;
const CONFIG_KEYS = ["type", "size", "components", "depth", "width", "residual", "bias", "kappaMax", "symmetry"] as const;

/** The architecture of an XY-MADE as stored in checkpoints. */
export interface XyMadeConfig extends ModelConfig {
  type: "xymade";
  components: number;
  depth: number;
  width: number;
  residual: boolean;
  bias: boolean;
  kappaMax: number;
  symmetry: XyMadeSymmetry;
}

/** Samples on the JS side: angles [batch × size] row-major in [0, 2π), ln q in float64. */
export interface AngleSamples {
  batch: number;
  size: number;
  x: Float32Array;
  logProb: Float64Array;
}

// Abramowitz & Stegun 9.8.1 and 9.8.2 coefficients.
const I0_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813];
const I0_LARGE = [0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706, 0.02635537, -0.01647633, 0.00392377];
/** κ from which the asymptotic series replaces 9.8.2 (whose error grows to ≈ 5e-7 as κ → ∞). */
const ASYMPTOTIC_FROM = 20;
/** √(2πκ) e^{−κ} I₀(κ) ~ Σ_k a_k κ^{−k}, a_k = ((2k−1)!!)²/(k! 8^k); 8 terms: error < 1e-10 for κ ≥ 20. */
const I0_ASYMPTOTIC = (() => {
  const a = [1];
  for (let k = 1; k < 8; k++) a.push((a[k - 1] * (2 * k - 1) ** 2) / (8 * k));
  return a;
})();

/**
 * ln(I₀(κ) e^{−κ}) for κ ≥ 0 in float64 (A&S 9.8.1/9.8.2, |error| < 2e-7;
 * see the module doc). ln I₀(κ) = lnI0Scaled(κ) + κ.
 */
export function lnI0Scaled(kappa: number): number {
  if (kappa < 3.75) {
    const t = (kappa / 3.75) ** 2;
    let p = 0;
    for (let k = I0_SMALL.length - 1; k >= 0; k--) p = p * t + I0_SMALL[k];
    return Math.log(p) - kappa;
  }
  if (kappa < ASYMPTOTIC_FROM) {
    const y = 3.75 / kappa;
    let p = 0;
    for (let k = I0_LARGE.length - 1; k >= 0; k--) p = p * y + I0_LARGE[k];
    return Math.log(p) - 0.5 * Math.log(kappa);
  }
  const y = 1 / kappa;
  let p = 0;
  for (let k = I0_ASYMPTOTIC.length - 1; k >= 0; k--) p = p * y + I0_ASYMPTOTIC[k];
  return Math.log(p) - 0.5 * Math.log(TWO_PI * kappa);
}

/** ln(I₀(κ) e^{−κ}) elementwise in tfjs (the same approximation as `lnI0Scaled`); κ ≥ 0, differentiable. */
export function lnI0ScaledTensor(kappa: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // each branch gets an argument clamped to its own range, so the unused branch's gradient is finite
    const ks = tf.minimum(kappa, 3.75);
    const t = tf.square(tf.div(ks, 3.75));
    let p: tf.Tensor = tf.scalar(I0_SMALL[I0_SMALL.length - 1]);
    for (let k = I0_SMALL.length - 2; k >= 0; k--) p = tf.add(tf.mul(p, t), I0_SMALL[k]);
    const small = tf.sub(tf.log(p), ks);
    const km = tf.clipByValue(kappa, 3.75, ASYMPTOTIC_FROM);
    const y = tf.div(3.75, km);
    let q: tf.Tensor = tf.scalar(I0_LARGE[I0_LARGE.length - 1]);
    for (let k = I0_LARGE.length - 2; k >= 0; k--) q = tf.add(tf.mul(q, y), I0_LARGE[k]);
    const medium = tf.sub(tf.log(q), tf.mul(0.5, tf.log(km)));
    const kl = tf.maximum(kappa, ASYMPTOTIC_FROM);
    const z = tf.reciprocal(kl);
    let r: tf.Tensor = tf.scalar(I0_ASYMPTOTIC[I0_ASYMPTOTIC.length - 1]);
    for (let k = I0_ASYMPTOTIC.length - 2; k >= 0; k--) r = tf.add(tf.mul(r, z), I0_ASYMPTOTIC[k]);
    const large = tf.sub(tf.log(r), tf.mul(0.5, tf.log(tf.mul(kl, TWO_PI))));
    // branch masks by tf.step (its gradient is 0; tf.where's comparison has no gradient in tfjs)
    const m1 = tf.step(tf.sub(3.75, kappa));
    const m2 = tf.step(tf.sub(ASYMPTOTIC_FROM, kappa));
    const rest = tf.add(tf.mul(m2, medium), tf.mul(tf.sub(1, m2), large));
    return tf.add(tf.mul(m1, small), tf.mul(tf.sub(1, m1), rest));
  });
}

/**
 * One von Mises draw VM(μ, κ) by Best & Fisher (1979): rejection from a
 * wrapped Cauchy envelope with ρ = 2κ/(τ + √(2τ)), τ = 1 + √(1 + 4κ²) (the
 * original (τ − √(2τ))/(2κ), rewritten without cancellation at small κ).
 * κ = 0 is the uniform law. Returns an angle in [0, 2π).
 */
export function vonMisesDraw(rng: Rng, mu: number, kappa: number): number {
  let theta: number;
  if (kappa <= 0) {
    theta = TWO_PI * rng.uniform();
  } else {
    const tau = 1 + Math.sqrt(1 + 4 * kappa * kappa);
    const rho = (2 * kappa) / (tau + Math.sqrt(2 * tau));
    const r = (1 + rho * rho) / (2 * rho);
    let f: number;
    for (;;) {
      const z = Math.cos(Math.PI * rng.uniform());
      f = (1 + r * z) / (r + z);
      const c = kappa * (r - f);
      const u2 = rng.uniform();
      if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) break;
    }
    const a = Math.acos(Math.max(-1, Math.min(1, f)));
    theta = mu + (rng.uniform() > 0.5 ? a : -a);
  }
  return wrapAngle(theta);
}

/** θ mod 2π in [0, 2π). */
function wrapAngle(theta: number): number {
  let t = theta % TWO_PI;
  if (t < 0) t += TWO_PI;
  return t >= TWO_PI ? 0 : t;
}

const TWO_PI_F32 = Math.fround(TWO_PI);
/** The float32 value of an angle in [0, 2π), kept below 2π after rounding (2π rounds up: the same point is 0). */
function toF32Angle(t: number): number {
  const f = Math.fround(t);
  return f >= TWO_PI_F32 ? 0 : f;
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The autoregressive model of angles; see the module doc. */
export class XyMade implements GenerativeModel {
  /**
   * What x holds: angles in [0, 2π) (not ±1 spins). The trainer refuses an
   * angle model on a spin system and a spin model on an XY system by it.
   */
  readonly domain = "angles" as const;
  readonly size: number;
  readonly components: number;
  readonly depth: number;
  readonly width: number;
  readonly residual: boolean;
  readonly bias: boolean;
  readonly kappaMax: number;
  readonly symmetry: XyMadeSymmetry;
  readonly trainableVariables: tf.Variable[];
  /** Names of `trainableVariables`, in the same order (checkpoints match them by name). */
  readonly variableNames: string[];
  private readonly layers: MadeLayer[];
  private readonly net: MadeNet;
  /** [1, N, 1] ones with 0 at site 0 when the first angle is uniform, else null. */
  private readonly firstKappaMask: tf.Tensor3D | null;
  private disposed = false;

  constructor(options: XyMadeOptions) {
    const where = "xyMade";
    if (options === undefined || options === null || typeof options !== "object") {
      throw new Error(`${where}: options must be an object with at least { size }`);
    }
    checkKeys(options, KNOWN, where);
    this.size = checkInteger(options.size, "size", where, { min: 1 });
    this.components = checkInteger(options.components ?? 4, "components", where, { min: 1, max: 256 });
    this.depth = checkInteger(options.depth ?? 2, "depth", where, { min: 1, max: 64 });
    this.width = checkInteger(options.width ?? 4, "width", where, { min: 1 });
    this.residual = checkBoolean(options.residual ?? false, "residual", where);
    this.bias = checkBoolean(options.bias ?? true, "bias", where);
    this.kappaMax = checkNumber(options.kappaMax ?? 200, "kappaMax", where, { above: 0, max: 1e4 });
    this.symmetry = checkOneOf(options.symmetry ?? "none", ["none", "uniformFirst", "rotation"] as const, "symmetry", where);
    const rng = resolveRng(options, where);
    ensureBackend();
    const built = buildMadeLayers({
      size: this.size, depth: this.depth, width: this.width, residual: this.residual, bias: this.bias, rng,
      inPerSite: 2, outPerSite: 4 * this.components, prefix: "xymade",
    });
    this.layers = built.layers;
    this.trainableVariables = built.variables.variables;
    this.variableNames = built.variables.names;
    this.net = {
      size: this.size, depth: this.depth, width: this.width, z2: false, biasFreeFirst: false,
      zmax: OUTPUT_BOUND, layers: this.layers, firstMask: null,
    };
    // without biases site 0's outputs are identically 0 (no direction): its conditional is then the uniform one too
    if (this.symmetry !== "none" || !this.bias) {
      const m = new Float32Array(this.size).fill(1);
      m[0] = 0;
      this.firstKappaMask = tf.tensor3d(m, [1, this.size, 1]);
    } else this.firstKappaMask = null;
  }

  /** The architecture as JSON (checkpoints store it; `XyMade.fromConfig` rebuilds from it). */
  config(): XyMadeConfig {
    return {
      type: "xymade", size: this.size, components: this.components, depth: this.depth, width: this.width,
      residual: this.residual, bias: this.bias, kappaMax: this.kappaMax, symmetry: this.symmetry,
    };
  }

  /** A fresh XY-MADE with the architecture of `config` (weights drawn anew, to be loaded afterwards). */
  static fromConfig(config: ModelConfig): XyMade {
    const c = checkModelConfig<XyMadeConfig>(config, "xymade", CONFIG_KEYS, "xyMade.fromConfig");
    return new XyMade({
      size: c.size, components: c.components, depth: c.depth, width: c.width, residual: c.residual, bias: c.bias,
      kappaMax: c.kappaMax, symmetry: c.symmetry,
    });
  }

  /** Number of trainable parameters (masked-out weights not counted). */
  parameterCount(): number {
    let c = 0;
    for (const L of this.layers) {
      c += tf.tidy(() => tf.sum(L.mask).dataSync()[0]);
      if (L.b !== null) c += L.outSize;
      if (L.alpha !== null) c += L.inSize;
    }
    return c;
  }

  /**
   * The mixture parameters of every conditional in one full pass, each
   * [batch, N, K]: log-weights ln w, concentrations κ and the mean direction
   * as a unit vector (ux, uy) = (cos μ, sin μ). With symmetry "rotation" the
   * network reads the angles relative to θ_0 and μ is relative to θ_0.
   */
  conditionals(theta: tf.Tensor2D): { logWeights: tf.Tensor3D; kappa: tf.Tensor3D; ux: tf.Tensor3D; uy: tf.Tensor3D } {
    this.checkAlive("conditionals");
    this.checkInput(theta, "conditionals");
    return tf.tidy(() => this.mixture(this.relative(theta)));
  }

  /** ln q(θ) of angles [batch, N] (any real values: q is 2π-periodic) → [batch]; differentiable w.r.t. the variables. */
  logProb(theta: tf.Tensor2D): tf.Tensor1D {
    this.checkAlive("logProb");
    this.checkInput(theta, "logProb");
    return tf.tidy(() => tf.sum(this.siteLogProbs(this.relative(theta)), 1) as tf.Tensor1D);
  }

  /** ln q_i(θ_i | θ_<i) of every site, [batch, N]. */
  siteLogProb(theta: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive("siteLogProb");
    this.checkInput(theta, "siteLogProb");
    return tf.tidy(() => this.siteLogProbs(this.relative(theta)));
  }

  /** Draw `batch` configurations (angles in [0, 2π), float32) with their ln q. The caller disposes the tensors. */
  sample(batch: number, options?: RandomOptions): Sample {
    const s = this.sampleAngles(batch, options);
    return { x: tf.tensor2d(s.x, [batch, this.size]), logProb: tf.tensor1d(Float32Array.from(s.logProb)) };
  }

  /**
   * Draw `batch` configurations into typed arrays: site by site with the
   * cached pass (see the module doc), ln q in float64.
   */
  sampleAngles(batch: number, options?: RandomOptions): AngleSamples {
    this.checkAlive("sample");
    checkInteger(batch, "batch", "xyMade.sample", { min: 1 });
    const rng = resolveRng(options, "xyMade.sample");
    return this.runJs(batch, rng, null);
  }

  /** ln q of angles x ([batch × N] row-major, any real values) in float64 on the JS side, by the sampler's cached pass. */
  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkAlive("logProbArrays");
    checkInteger(batch, "batch", "xyMade.logProbArrays", { min: 1 });
    if (x === null || typeof x !== "object" || typeof x.length !== "number" || x.length !== batch * this.size) {
      throw new Error(`xyMade.logProbArrays: x must hold batch·size = ${batch * this.size} angles, got ${x === null || typeof x !== "object" ? String(x) : x.length}`);
    }
    for (let k = 0; k < x.length; k++) {
      if (!Number.isFinite(x[k])) throw new Error(`xyMade.logProbArrays: x[${k}] = ${x[k]} is not a finite angle`);
    }
    return this.runJs(batch, null, x).logProb;
  }

  /** Free the model's variables and masks. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableVariables) v.dispose();
    for (const L of this.layers) L.mask.dispose();
    this.firstKappaMask?.dispose();
  }

  /** The angles the network reads and models: θ, or θ − θ_0 with symmetry "rotation". */
  private relative(theta: tf.Tensor2D): tf.Tensor2D {
    if (this.symmetry !== "rotation") return theta;
    return tf.sub(theta, tf.slice(theta, [0, 0], [theta.shape[0], 1])) as tf.Tensor2D;
  }

  private mixture(phi: tf.Tensor2D): { logWeights: tf.Tensor3D; kappa: tf.Tensor3D; ux: tf.Tensor3D; uy: tf.Tensor3D } {
    const batch = phi.shape[0];
    const n = this.size;
    const K = this.components;
    const feats = tf.reshape(tf.stack([tf.cos(phi), tf.sin(phi)], 2), [batch, 2 * n]) as tf.Tensor2D;
    const out = tf.reshape(madeLogits(this.net, feats), [batch, n, 4, K]);
    const [a, mx, my, r] = tf.unstack(out, 2) as tf.Tensor3D[];
    const logWeights = tf.logSoftmax(a, -1) as tf.Tensor3D;
    let kappa = tf.minimum(tf.softplus(r), this.kappaMax) as tf.Tensor3D;
    if (this.firstKappaMask !== null) kappa = tf.mul(kappa, this.firstKappaMask) as tf.Tensor3D;
    const rho = tf.sqrt(tf.add(tf.add(tf.square(mx), tf.square(my)), DIRECTION_EPS));
    return { logWeights, kappa, ux: tf.div(mx, rho) as tf.Tensor3D, uy: tf.div(my, rho) as tf.Tensor3D };
  }

  /** ln q_i of relative angles φ: logsumexp_k [ln w_k − κ_k |v − u_k|²/2 − ln(I₀(κ_k)e^{−κ_k})] − ln 2π. */
  private siteLogProbs(phi: tf.Tensor2D): tf.Tensor2D {
    const { logWeights, kappa, ux, uy } = this.mixture(phi);
    const c = tf.expandDims(tf.cos(phi), 2);
    const s = tf.expandDims(tf.sin(phi), 2);
    const d2 = tf.add(tf.square(tf.sub(c, ux)), tf.square(tf.sub(s, uy)));
    const comp = tf.sub(tf.sub(logWeights, tf.mul(tf.mul(kappa, d2), 0.5)), lnI0ScaledTensor(kappa));
    return tf.sub(tf.logSumExp(comp, 2), LN_2PI) as tf.Tensor2D;
  }

  /**
   * The cached site-by-site pass over typed arrays (float64 arithmetic on the
   * float32 weights): draws the angles from `rng`, or, with `given`
   * ([batch × N] angles), evaluates their ln q without drawing.
   */
  private runJs(batch: number, rng: Rng | null, given: ArrayLike<number> | null): AngleSamples {
    const n = this.size;
    const K = this.components;
    const D = this.layers.length;
    const rot = this.symmetry === "rotation";
    const uniformFirst = this.firstKappaMask !== null;
    // masked weights, biases and PReLU slopes, read once
    const W = this.layers.map((L) => tf.tidy(() => tf.mul(L.w, L.mask).dataSync() as Float32Array));
    const Bs = this.layers.map((L) => (L.b !== null ? (L.b.dataSync() as Float32Array) : null));
    const A = this.layers.map((L) => (L.alpha !== null ? (L.alpha.dataSync() as Float32Array) : null));
    const outSize = this.layers.map((L) => L.outSize);
    const inSize = this.layers.map((L) => L.inSize);
    const per = outSize.map((o) => o / n); // output units per site of each layer
    const x = new Float32Array(batch * n);
    const logProb = new Float64Array(batch);
    // per-sample work arrays: h[l] = layer l's outputs; inp[l] = layer l's input after PReLU (l ≥ 1)
    const pre0 = new Float64Array(outSize[0]);
    const h = outSize.map((o) => new Float64Array(o));
    const inp = inSize.map((s) => new Float64Array(s));
    const o = new Float64Array(4 * K);
    const lw = new Float64Array(K);
    const kap = new Float64Array(K);
    const mu = new Float64Array(K);
    const cs = new Float64Array(K);
    const W0 = W[0];
    const out0 = outSize[0];
    for (let b = 0; b < batch; b++) {
      const b0 = Bs[0];
      if (b0 !== null) for (let k = 0; k < out0; k++) pre0[k] = b0[k];
      else pre0.fill(0);
      let lq = 0;
      let theta0 = 0;
      for (let i = 0; i < n; i++) {
        // layer 0: site i's block is complete (it sees sites j < i only)
        const p0 = per[0];
        for (let k = i * p0; k < (i + 1) * p0; k++) h[0][k] = pre0[k];
        // later layers: site i's block from the prefixes of sites ≤ i
        for (let l = 1; l < D; l++) {
          const pin = per[l - 1];
          const pl = per[l];
          const al = A[l];
          const hin = h[l - 1];
          const xin = inp[l];
          for (let u = i * pin; u < (i + 1) * pin; u++) {
            const v = hin[u];
            xin[u] = al !== null && v < 0 ? al[u] * v : v;
          }
          const Wl = W[l];
          const bl = Bs[l];
          const os = outSize[l];
          const end = (i + 1) * pin;
          const hl = h[l];
          const res = this.layers[l].residual;
          const k0 = i * pl;
          const k1 = k0 + pl;
          for (let k = k0; k < k1; k++) hl[k] = bl !== null ? bl[k] : 0;
          for (let u = 0; u < end; u++) {
            const xv = xin[u];
            if (xv === 0) continue;
            const row = u * os;
            for (let k = k0; k < k1; k++) hl[k] += xv * Wl[row + k];
          }
          if (res) for (let k = k0; k < k1; k++) hl[k] += hin[k];
        }
        // site i's 4K outputs → the mixture
        const last = h[D - 1];
        const base = i * 4 * K;
        for (let k = 0; k < 4 * K; k++) o[k] = Math.max(-OUTPUT_BOUND, Math.min(OUTPUT_BOUND, last[base + k]));
        let amax = -Infinity;
        for (let k = 0; k < K; k++) amax = Math.max(amax, o[k]);
        let se = 0;
        for (let k = 0; k < K; k++) se += Math.exp(o[k] - amax);
        const lse = amax + Math.log(se);
        for (let k = 0; k < K; k++) {
          lw[k] = o[k] - lse;
          kap[k] = i === 0 && uniformFirst ? 0 : Math.min(softplus(o[3 * K + k]), this.kappaMax);
          mu[k] = Math.atan2(o[2 * K + k], o[K + k]);
        }
        let phi: number;
        if (given === null) {
          // component, then the angle
          const uc = (rng as Rng).uniform();
          let comp = K - 1;
          let cum = 0;
          for (let k = 0; k < K; k++) {
            cum += Math.exp(lw[k]);
            if (uc < cum) {
              comp = k;
              break;
            }
          }
          phi = vonMisesDraw(rng as Rng, mu[comp], kap[comp]);
        } else {
          const t = given[b * n + i];
          phi = rot && i > 0 ? t - given[b * n] : t;
        }
        // ln q_i(φ) = logsumexp_k [ln w_k − 2κ_k sin²((φ − μ_k)/2) − ln(I₀(κ_k) e^{−κ_k})] − ln 2π
        let cmax = -Infinity;
        for (let k = 0; k < K; k++) {
          const sh = Math.sin(0.5 * (phi - mu[k]));
          cs[k] = lw[k] - 2 * kap[k] * sh * sh - lnI0Scaled(kap[k]);
          cmax = Math.max(cmax, cs[k]);
        }
        let sc = 0;
        for (let k = 0; k < K; k++) sc += Math.exp(cs[k] - cmax);
        lq += cmax + Math.log(sc) - LN_2PI;
        let thetaI = phi;
        if (rot) {
          if (i === 0) {
            theta0 = phi;
            phi = 0;
          } else thetaI = wrapAngle(theta0 + phi);
        }
        x[b * n + i] = toF32Angle(thetaI);
        // rank-2 update of the first layer's pre-activations of the later sites
        if (i + 1 < n) {
          const c = Math.cos(phi);
          const s = Math.sin(phi);
          const r0 = 2 * i * out0;
          const r1 = r0 + out0;
          for (let k = (i + 1) * p0; k < out0; k++) pre0[k] += c * W0[r0 + k] + s * W0[r1 + k];
        }
      }
      logProb[b] = lq;
    }
    return { batch, size: n, x, logProb };
  }

  private checkAlive(where: string): void {
    if (this.disposed) throw new Error(`xyMade.${where}: the model has been disposed`);
  }

  private checkInput(x: tf.Tensor2D, where: string): void {
    if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== this.size) {
      const shape = x instanceof tf.Tensor ? `[${x.shape.join(", ")}]` : String(x);
      throw new Error(`xyMade.${where}: theta must be a [batch, ${this.size}] tensor of angles, got ${shape}`);
    }
  }
}

/** An XY-MADE over `size` angles; see `XyMadeOptions` and the module doc. */
export function xyMade(options: XyMadeOptions): XyMade {
  return new XyMade(options);
}
