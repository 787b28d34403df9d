/**
 * TwoBo: a sparse autoregressive network for two-body spin systems (Biazzo,
 * Wu, Carleo, "Sparse autoregressive neural networks for classical spin
 * systems", Mach. Learn.: Sci. Technol. 5 025074, 2024; arXiv 2402.16579).
 *
 * For E(s) = −Σ_{i<j} J_ij s_i s_j − Σ_i h_i s_i the exact conditional is
 *
 *   logit q(s_i = +1 | s_<i) = 2β ξ_ii + ρ_i⁺(ξ_{i,l>i}) − ρ_i⁻(ξ_{i,l>i}),
 *   ξ_il = h_l + Σ_{j<i} J_jl s_j,
 *
 * where ξ_il is the partial local field that the spins already drawn induce
 * on site l ≥ i, and ρ_i^± are log partition functions of the spins l > i
 * (Biazzo, arXiv 2302.08347). TwoBo keeps the first part as a skip connection
 * and learns the rest from the ξ features:
 *
 *   logit_i = β·w_i0·ξ_ii + Σ_{t≥1} w_it ξ_il_t + b_i + MLP_i(ξ_il_1, …, ξ_il_k),
 *
 * with w_i0 = `skipWeight` (2) at start, the other skip weights, the biases
 * and the MLP's output layer small (≈10⁻²/√N), so that training starts from
 * the "sequential heat bath" q(s_i | s_<i) ∝ exp(β s_i ξ_ii) rather than
 * from the uniform distribution. Every site has its own weights.
 *
 * Choices where the paper leaves room (or where this code departs from the
 * reference implementation, cqsl/sparse-twobody-arnn):
 * - Features. The reference feeds site i the fields ξ_il of every l ≥ i that
 *   is coupled to some j < i (the whole "frontier": about L sites on an L×L
 *   grid, O(N) on a random graph), padded to the largest frontier, so its
 *   parameters grow like N·L or N². Here site i sees ξ_ii and the ξ_il of the
 *   sites l > i within `reach` steps of i on the coupling graph that are
 *   coupled to some j < i (others have ξ_il = h_l, a constant). With a fixed
 *   reach the parameter count is linear in the number of couplings for
 *   bounded degree; `reach: Infinity` gives the reference's full frontier.
 *   Default reach 2: on a raster-ordered grid reach 1 leaves only the right
 *   neighbour's field, reach 2 adds the next sites along the frontier.
 * - The skip connection is linear in all features (as the reference's), with
 *   β multiplying only the ξ_ii term (`betaSkip`, the reference's
 *   use_beta_skip); β is the model's current inverse temperature, set with
 *   `setBeta` (e.g. from the trainer's `onStep` while annealing).
 * - MLP: `hidden` layer widths (default [8]; [] gives the reference's
 *   TwoBoOnlySkip, which its experiments use), GELU (tanh form) after each
 *   hidden layer, a linear output (the reference also applies GELU to the
 *   output, which bounds it below; here it is left linear).
 * - The first site has no features beyond h_0: its logit is β w_00 h_0 + b_0
 *   (the reference's b0); `biasFreeFirst` fixes it at 0 (q = ½).
 * - Z2 symmetrisation (optional) as for the other models; conditionals are
 *   clamped to [ε, 1 − ε].
 *
 * Sampling keeps the running partial fields ξ_l = h_l + Σ_{j drawn} J_jl s_j
 * of all sites; site i reads its few features from it, evaluates its small
 * MLP, draws s_i, and adds J_il s_i to the fields of its neighbours: cost per
 * site ∝ its degree (times the MLP's size), on the JS side in float64. Full
 * evaluation (`logProb`) computes the same features for the whole batch on
 * the JS side (they do not depend on the weights) and evaluates all sites'
 * MLPs as batched matMuls [N, batch, k] × [N, k, h] in tfjs, differentiable.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkBoolean } from "../core/validate";
import type { SpinSystem } from "../systems/types";
import {
  AutoregressiveSpinModel, checkModelConfig, firstSiteMask, logitBound, logSigmoid, ModelVariables, symmetrize, type ModelConfig, type ModelContext, type SampleArraysOptions, type SpinSamples,
  wantsLogProb,
} from "./spin";

export interface TwoBoOptions extends RandomOptions {
  /** The spin system whose couplings (and fields) shape the network. */
  system: SpinSystem;
  /** Inverse temperature in the skip connection (default 1; change it with `setBeta`). */
  beta?: number;
  /** Sites l > i within this many steps of i give site i a feature ξ_il (≥ 1, or Infinity for the full frontier; default 2). */
  reach?: number;
  /** Widths of the hidden layers of each site's MLP (default [8]; [] for the skip connection alone). */
  hidden?: number[];
  /** Initial weight of β ξ_ii in the skip connection (default 2, the exact value). */
  skipWeight?: number;
  /** Multiply the ξ_ii term by β (default true). */
  betaSkip?: boolean;
  /** Z2 symmetrisation q(s) = ½[q₀(s) + q₀(−s)] (default false). */
  z2?: boolean;
  /** Fix the first conditional at ½ (default false). */
  biasFreeFirst?: boolean;
  /** Conditionals are clamped to [ε, 1 − ε] (default 1e-7). */
  epsilon?: number;
}

const KNOWN = ["system", "beta", "reach", "hidden", "skipWeight", "betaSkip", "z2", "biasFreeFirst", "epsilon", "seed", "rng"] as const;
/** The fields of `TwoBoConfig`. */
const CONFIG_KEYS = [
  "type", "size", "system", "couplings", "features", "reach", "hidden", "skipWeight", "betaSkip", "z2", "biasFreeFirst", "epsilon",
] as const;

/** The architecture of a TwoBo as stored in checkpoints. */
export interface TwoBoConfig extends ModelConfig {
  type: "twobo";
  system: string;
  couplings: number;
  features: number;
  reach: number | "Infinity";
  hidden: number[];
  skipWeight: number;
  betaSkip: boolean;
  z2: boolean;
  biasFreeFirst: boolean;
  epsilon: number;
}



/** Standard normal truncated to ±2 (the reference's initialiser). */
function truncNormal(rng: Rng): number {
  for (;;) {
    const z = rng.normal();
    if (Math.abs(z) <= 2) return z;
  }
}

const GELU_C = Math.sqrt(2 / Math.PI);
function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}
function geluTensor<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), GELU_C)))) as T);
}

/** Weights on the JS side for sampling. */
interface Pulled {
  ws: Float32Array;
  bs: Float32Array;
  w: Float32Array[];
  b: Float32Array[];
}

export class TwoBo extends AutoregressiveSpinModel {
  protected readonly kind = "twobo";
  readonly size: number;
  readonly reach: number;
  readonly hidden: number[];
  readonly skipWeight: number;
  readonly betaSkip: boolean;
  readonly z2: boolean;
  readonly biasFreeFirst: boolean;
  readonly epsilon: number;
  readonly trainableVariables: tf.Variable[];
  readonly variableNames: string[];
  /** Feature slots per site (the largest 1 + k_i). */
  readonly slots: number;
  /** k_i + 1 features of each site (ξ_ii first). */
  readonly featureCounts: Int32Array;
  private betaValue: number;
  private readonly systemName: string;
  private readonly couplings: number;
  /** Site l of each feature slot, [N·slots] (−1 for padding). */
  private readonly featSite: Int32Array;
  /** CSR neighbours of the system (sampling updates). */
  private readonly nbOffsets: Int32Array;
  private readonly nbIndex: Int32Array;
  private readonly nbJ: Float64Array;
  private readonly fields: Float64Array;
  /** Skip weights [N, slots] and biases [N]; MLP layers [N, in, out] and biases [N, 1, out]. */
  private readonly ws: tf.Variable;
  private readonly bs: tf.Variable;
  private readonly w: tf.Variable[];
  private readonly b: tf.Variable[];
  /** Widths of the MLP's layers' inputs/outputs: [slots − 1, ...hidden, 1]. */
  private readonly dims: number[];
  private readonly zmax: number;
  protected readonly firstMask: tf.Tensor2D | null;

  constructor(options: TwoBoOptions) {
    super();
    const W = "twobo";
    if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options must be an object with { system }`);
    checkKeys(options, KNOWN, W);
    const sys = options.system;
    if (sys === null || typeof sys !== "object" || sys.kind !== "spin" || sys.neighbors === undefined) {
      throw new Error(`${W}: system must be a SpinSystem (its couplings shape the network)`);
    }
    this.size = sys.n;
    this.betaValue = checkNumber(options.beta ?? 1, "beta", W, { above: 0 });
    const reach = options.reach ?? 2;
    if (reach !== Infinity) checkInteger(reach, "reach", W, { min: 1 });
    this.reach = reach;
    const hidden = options.hidden ?? [8];
    if (!Array.isArray(hidden)) throw new Error(`${W}: hidden must be an array of layer widths, got ${String(hidden)}`);
    hidden.forEach((h, k) => checkInteger(h, `hidden[${k}]`, W, { min: 1 }));
    this.hidden = [...hidden];
    this.skipWeight = checkNumber(options.skipWeight ?? 2, "skipWeight", W);
    this.betaSkip = checkBoolean(options.betaSkip ?? true, "betaSkip", W);
    this.z2 = checkBoolean(options.z2 ?? false, "z2", W);
    this.biasFreeFirst = checkBoolean(options.biasFreeFirst ?? false, "biasFreeFirst", W);
    this.epsilon = checkNumber(options.epsilon ?? 1e-7, "epsilon", W, { above: 0, max: 0.1 });
    this.zmax = logitBound(this.epsilon);
    const rng = resolveRng(options, W);
    ensureBackend();

    const n = this.size;
    this.systemName = sys.name;
    this.couplings = sys.edges.i.length;
    this.nbOffsets = Int32Array.from(sys.neighbors.offsets);
    this.nbIndex = Int32Array.from(sys.neighbors.index);
    this.nbJ = Float64Array.from(sys.neighbors.J);
    this.fields = sys.fields !== null ? Float64Array.from(sys.fields) : new Float64Array(n);

    // features: site i, then the sites l > i within `reach` of i that have a neighbour j < i
    const minNeighbour = new Int32Array(n).fill(n);
    for (let l = 0; l < n; l++) {
      for (let e = this.nbOffsets[l]; e < this.nbOffsets[l + 1]; e++) {
        if (this.nbJ[e] !== 0) minNeighbour[l] = Math.min(minNeighbour[l], this.nbIndex[e]);
      }
    }
    const lists: number[][] = [];
    const dist = new Int32Array(n).fill(-1);
    let maxSlots = 1;
    for (let i = 0; i < n; i++) {
      const seen: number[] = [i];
      dist[i] = 0;
      const found: number[] = [];
      for (let q = 0; q < seen.length; q++) {
        const v = seen[q];
        if (dist[v] >= reach) continue;
        for (let e = this.nbOffsets[v]; e < this.nbOffsets[v + 1]; e++) {
          const l = this.nbIndex[e];
          if (dist[l] >= 0) continue;
          dist[l] = dist[v] + 1;
          seen.push(l);
          if (l > i && minNeighbour[l] < i) found.push(l);
        }
      }
      for (const v of seen) dist[v] = -1;
      found.sort((a, b) => a - b);
      lists.push([i, ...found]);
      maxSlots = Math.max(maxSlots, found.length + 1);
    }
    this.slots = maxSlots;
    this.featureCounts = Int32Array.from(lists.map((l) => l.length));
    this.featSite = new Int32Array(n * maxSlots).fill(-1);
    lists.forEach((list, i) => list.forEach((l, t) => (this.featSite[i * maxSlots + t] = l)));

    // variables
    const small = 1e-2 / Math.sqrt(n);
    const K = maxSlots;
    const ws = new Float32Array(n * K);
    const bs = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < this.featureCounts[i]; t++) ws[i * K + t] = small * truncNormal(rng) + (t === 0 ? this.skipWeight : 0);
      bs[i] = small * truncNormal(rng);
    }
    const vars = new ModelVariables("twobo");
    this.ws = vars.add("skip_w", () => tf.tensor2d(ws, [n, K]));
    this.bs = vars.add("skip_b", () => tf.tensor1d(bs));
    this.dims = [K - 1, ...this.hidden, 1];
    this.w = [];
    this.b = [];
    if (this.hidden.length > 0 && K > 1) {
      for (let l = 0; l + 1 < this.dims.length; l++) {
        const inD = this.dims[l];
        const outD = this.dims[l + 1];
        const last = l + 2 === this.dims.length;
        const wl = new Float32Array(n * inD * outD);
        const bl = new Float32Array(n * outD);
        for (let i = 0; i < n; i++) {
          const realIn = l === 0 ? this.featureCounts[i] - 1 : inD;
          const scale = last ? small : 1 / Math.sqrt(Math.max(1, realIn));
          for (let a = 0; a < realIn; a++) for (let c = 0; c < outD; c++) wl[(i * inD + a) * outD + c] = scale * truncNormal(rng);
          for (let c = 0; c < outD; c++) bl[i * outD + c] = scale * truncNormal(rng);
        }
        this.w.push(vars.add(`w${l}`, () => tf.tensor3d(wl, [n, inD, outD])));
        this.b.push(vars.add(`b${l}`, () => tf.tensor3d(bl, [n, 1, outD])));
      }
    }
    this.trainableVariables = vars.variables;
    this.variableNames = vars.names;
    this.firstMask = this.biasFreeFirst ? firstSiteMask(n) : null;
  }

  /** The inverse temperature of the skip connection. */
  get beta(): number {
    return this.betaValue;
  }

  /** Set the skip connection's β (e.g. the annealed β of the current training step). */
  setBeta(beta: number): void {
    this.betaValue = checkNumber(beta, "beta", "twobo.setBeta", { above: 0 });
  }

  config(): TwoBoConfig {
    return {
      type: "twobo",
      size: this.size,
      system: this.systemName,
      couplings: this.couplings,
      features: this.featureCounts.reduce((a, b) => a + b, 0),
      reach: this.reach === Infinity ? "Infinity" : this.reach,
      hidden: [...this.hidden],
      skipWeight: this.skipWeight,
      betaSkip: this.betaSkip,
      z2: this.z2,
      biasFreeFirst: this.biasFreeFirst,
      epsilon: this.epsilon,
    };
  }

  /**
   * A fresh TwoBo with the architecture of `config` (from `config()` or a
   * checkpoint) on `context.system`, which must be the system it was made for
   * (its couplings shape the network; the config stores only their name and
   * counts, which are checked). The weights are drawn anew, to be loaded
   * afterwards; β is not part of the architecture (`setBeta`).
   */
  static fromConfig(config: ModelConfig, context: ModelContext = {}): TwoBo {
    const W = "twobo.fromConfig";
    const c = checkModelConfig<TwoBoConfig>(config, "twobo", CONFIG_KEYS, W);
    const sys = context?.system;
    if (sys === undefined || sys === null) throw new Error(`${W}: a twobo model needs its system (the couplings of "${c.system}")`);
    const madeFor = `${W}: the twobo config was made for "${c.system}" (${c.size} spins, ${c.features} features), not for "${sys.name}"`;
    if (sys.n !== c.size) throw new Error(madeFor); // before building anything
    const m = new TwoBo({
      system: sys, reach: c.reach === "Infinity" ? Infinity : c.reach, hidden: c.hidden, skipWeight: c.skipWeight, betaSkip: c.betaSkip, z2: c.z2,
      biasFreeFirst: c.biasFreeFirst, epsilon: c.epsilon,
    });
    if (m.config().features !== c.features) {
      m.dispose();
      throw new Error(madeFor);
    }
    return m;
  }

  /** Number of trainable parameters (padding slots not counted). */
  parameterCount(): number {
    const n = this.size;
    let c = 0;
    for (let i = 0; i < n; i++) c += this.featureCounts[i] + 1;
    if (this.w.length > 0) {
      for (let i = 0; i < n; i++) {
        for (let l = 0; l + 1 < this.dims.length; l++) {
          const inD = l === 0 ? this.featureCounts[i] - 1 : this.dims[l];
          c += inD * this.dims[l + 1] + this.dims[l + 1];
        }
      }
    }
    return c;
  }

  /**
   * The ξ features of ±1 rows [batch × N]: [batch, N, slots] with
   * ξ[b, i, t] = h_l + Σ_{j<i} J_jl x_bj for l = the site of slot t (0 in padding).
   */
  features(x: ArrayLike<number>, batch: number): Float32Array {
    const n = this.size;
    const K = this.slots;
    const out = new Float32Array(batch * n * K);
    const run = new Float64Array(n);
    for (let s = 0; s < batch; s++) {
      run.set(this.fields);
      const row = s * n;
      for (let i = 0; i < n; i++) {
        const o = (s * n + i) * K;
        for (let t = 0; t < K; t++) {
          const l = this.featSite[i * K + t];
          if (l >= 0) out[o + t] = run[l];
        }
        const si = x[row + i];
        for (let e = this.nbOffsets[i]; e < this.nbOffsets[i + 1]; e++) run[this.nbIndex[e]] += this.nbJ[e] * si;
      }
    }
    return out;
  }

  /** Conditional logits z_i = logit q₀(s_i = +1 | s_<i), clamped, [batch, N]; differentiable w.r.t. the weights. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive("logits");
    this.checkInput(x, "logits");
    const batch = x.shape[0];
    const feats = this.features(x.dataSync(), batch);
    return tf.tidy(() => this.logitsFromFeatures(tf.tensor3d(feats, [batch, this.size, this.slots])));
  }


  sampleArrays(batch: number, options?: SampleArraysOptions): SpinSamples {
    this.checkAlive("sample");
    checkInteger(batch, "batch", "twobo.sample", { min: 1 });
    const rng = resolveRng(options, "twobo.sample");
    const withLq = wantsLogProb(options, "twobo.sample");
    const n = this.size;
    const p = this.pull();
    const x = new Float32Array(batch * n);
    const logProb = new Float64Array(batch);
    const u = new Float32Array(n);
    const xs = new Float32Array(n);
    const neg = new Float32Array(n);
    const scratch = this.scratch();
    for (let s = 0; s < batch; s++) {
      for (let i = 0; i < n; i++) u[i] = rng.uniform32();
      const flip = this.z2 && rng.uniform32() < 0.5;
      let lq = this.run(p, scratch, xs, u);
      if (this.z2 && withLq) {
        for (let i = 0; i < n; i++) neg[i] = -xs[i];
        lq = symmetrize(lq, this.run(p, scratch, neg, null));
      }
      const sign = flip ? -1 : 1;
      for (let i = 0; i < n; i++) x[s * n + i] = sign * xs[i];
      logProb[s] = withLq ? lq : NaN;
    }
    return { batch, size: n, x, logProb };
  }

  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkAlive("logProbArrays");
    checkInteger(batch, "batch", "twobo.logProbArrays", { min: 1 });
    const n = this.size;
    if (x.length !== batch * n) throw new Error(`twobo.logProbArrays: x must have batch·size = ${batch * n} entries, got ${x.length}`);
    const p = this.pull();
    const scratch = this.scratch();
    const xs = new Float32Array(n);
    const neg = new Float32Array(n);
    const out = new Float64Array(batch);
    for (let s = 0; s < batch; s++) {
      for (let i = 0; i < n; i++) {
        const v = x[s * n + i];
        if (v !== 1 && v !== -1) throw new Error(`twobo.logProbArrays: x must hold ±1 spins, got ${v} at [${s}, ${i}]`);
        xs[i] = v;
        neg[i] = -v;
      }
      const a = this.run(p, scratch, xs, null);
      out[s] = this.z2 ? symmetrize(a, this.run(p, scratch, neg, null)) : a;
    }
    return out;
  }


  // ---------------------------------------------------------------- internals


  private logitsFromFeatures(xi: tf.Tensor3D): tf.Tensor2D {
    const [batch, n, K] = xi.shape;
    const beta = this.betaSkip ? this.betaValue : 1;
    // skip connection: β w_i0 ξ_ii + Σ_t w_it ξ_it + b_i
    const scale = tf.concat([tf.fill([n, 1], beta), tf.ones([n, K - 1])], 1);
    let z = tf.add(tf.sum(tf.mul(xi, tf.mul(this.ws, scale)), 2), this.bs) as tf.Tensor2D;
    if (this.w.length > 0) {
      let h: tf.Tensor3D = tf.transpose(tf.slice(xi, [0, 0, 1], [batch, n, K - 1]), [1, 0, 2]); // [N, batch, K−1]
      for (let l = 0; l < this.w.length; l++) {
        h = tf.add(tf.matMul(h, this.w[l]), this.b[l]) as tf.Tensor3D;
        if (l + 1 < this.w.length) h = geluTensor(h);
      }
      z = tf.add(z, tf.transpose(tf.reshape(h, [n, batch]))) as tf.Tensor2D;
    }
    if (this.firstMask !== null) z = tf.mul(z, this.firstMask);
    return tf.clipByValue(z, -this.zmax, this.zmax) as tf.Tensor2D;
  }

  private pull(): Pulled {
    return {
      ws: this.ws.dataSync() as Float32Array,
      bs: this.bs.dataSync() as Float32Array,
      w: this.w.map((v) => v.dataSync() as Float32Array),
      b: this.b.map((v) => v.dataSync() as Float32Array),
    };
  }

  private scratch(): { run: Float64Array; a: Float64Array; c: Float64Array } {
    const width = Math.max(1, ...this.dims);
    return { run: new Float64Array(this.size), a: new Float64Array(width), c: new Float64Array(width) };
  }

  /**
   * One configuration site by site: with uniforms `u` it samples into `xs`,
   * else it evaluates the given `xs`. Returns ln q₀ (unsymmetrised).
   */
  private run(p: Pulled, sc: { run: Float64Array; a: Float64Array; c: Float64Array }, xs: Float32Array, u: Float32Array | null): number {
    const n = this.size;
    const K = this.slots;
    const run = sc.run;
    run.set(this.fields);
    const beta = this.betaSkip ? this.betaValue : 1;
    const zmax = this.zmax;
    const dims = this.dims;
    const layers = p.w.length;
    let lq = 0;
    for (let i = 0; i < n; i++) {
      const base = i * K;
      const cnt = this.featureCounts[i];
      let z = p.bs[i] + beta * p.ws[base] * run[i];
      for (let t = 1; t < cnt; t++) z += p.ws[base + t] * run[this.featSite[base + t]];
      if (layers > 0) {
        // MLP over ξ_{i, t ≥ 1} (padding slots are zero and have zero weights)
        let a = sc.a;
        let c = sc.c;
        const k0 = dims[0];
        for (let t = 0; t < k0; t++) a[t] = t + 1 < cnt ? run[this.featSite[base + t + 1]] : 0;
        for (let l = 0; l < layers; l++) {
          const inD = dims[l];
          const outD = dims[l + 1];
          const w = p.w[l];
          const bl = p.b[l];
          const wo = i * inD * outD;
          for (let o = 0; o < outD; o++) {
            let v = bl[i * outD + o];
            for (let t = 0; t < inD; t++) v += a[t] * w[wo + t * outD + o];
            c[o] = l + 1 < layers ? gelu(v) : v;
          }
          const tmp = a;
          a = c;
          c = tmp;
        }
        z += a[0];
      }
      if (i === 0 && this.biasFreeFirst) z = 0;
      if (z > zmax) z = zmax;
      else if (z < -zmax) z = -zmax;
      let s: number;
      if (u !== null) {
        s = u[i] * (1 + Math.exp(-z)) < 1 ? 1 : -1;
        xs[i] = s;
      } else s = xs[i];
      lq += logSigmoid(s * z);
      for (let e = this.nbOffsets[i]; e < this.nbOffsets[i + 1]; e++) run[this.nbIndex[e]] += this.nbJ[e] * s;
    }
    return lq;
  }
}

/** A TwoBo network for `system`; see `TwoBoOptions`. */
export function twobo(options: TwoBoOptions): TwoBo {
  return new TwoBo(options);
}
