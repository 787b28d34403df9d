/**
 * MADE (masked autoencoder for distribution estimation) as the VAN paper's
 * dense autoregressive model of N ±1 spins (Wu, Wang, Zhang, PRL 122, 080602;
 * the layer layout follows stat-mech-van's made.py).
 *
 * Layers: an exclusive masked dense layer N → width·N (site i's hidden units
 * see spins j < i), then depth − 2 masked hidden layers width·N → width·N
 * (units of site i see units of sites ≤ i; optionally residual), then a masked
 * layer width·N → N giving the logit of q(s_i = +1 | s_<i). PReLU activations
 * (one learnable slope per unit, 0.5 at start) precede every layer after the
 * first. Depth 1 is the single exclusive layer N → N (a logistic model).
 *
 * The code is in three parts: this file (options, config, the model class),
 * madeLayers.ts (masks, initialisation, the full pass) and madeSampler.ts
 * (the fast samplers, which compute each site's block of every layer from the
 * prefixes already computed: one forward pass of work per sample instead of
 * N, and ln q in float64 on the JS side).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkBoolean } from "../core/validate";
import { buildMadeLayers, madeLogits, maskedParameterCount, type MadeLayer, type MadeNet } from "./madeLayers";
import { madeReinforceGradients } from "./madeGradient";
import { drawUniforms, madeLogProbArrays, sampleMadeArrays, type MadeSampleOptions } from "./madeSampler";
import {
  AutoregressiveSpinModel, checkModelConfig, firstSiteMask, logitBound, type ModelConfig, type ReinforceGradientModel, type ReinforceGradients, type SpinSamples,
} from "./spin";
import type { Sample } from "./types";

export type { MadeSampleOptions } from "./madeSampler";

export interface MadeOptions extends RandomOptions {
  /** Number of spins N (≥ 1). */
  size: number;
  /** Number of masked dense layers (≥ 1; default 2). */
  depth?: number;
  /** Hidden units per site: each hidden layer has width·N units (default 4). */
  width?: number;
  /** Hidden-to-hidden layers as residual blocks h ← h + M(PReLU(h)) (default false). */
  residual?: boolean;
  /** Z2 symmetrisation q(s) = ½[q₀(s) + q₀(−s)] (default false). */
  z2?: boolean;
  /** Fix the first conditional q(s_0 = ±1) to ½ (no bias reaches it; default false). */
  biasFreeFirst?: boolean;
  /** Biases in the masked layers (default true). */
  bias?: boolean;
  /** Conditionals are clamped to [ε, 1 − ε] (default 1e-7). */
  epsilon?: number;
}

/**
 * Forward multiply-adds × batch up to which `reinforceGradients` is preferred to tf.variableGrads.
 * Measured (shared 2-core machine, load ≈ 9, Z2, batch 1000, 100 interleaved runs after warm-up):
 * SK N = 20 depth 1 (1.9e5) fused 1.8–2.1 ms fastest, 1.9–2.2 median, against tensors 1.7–1.8
 * fastest, 2.3–3.3 median: at parity, with a shorter tail under load; N = 32 depth 1 (5e5) 5.1 vs 3.0 (fastest runs);
 * N = 20 depth 2 width 2 9.3 vs 5.5 ms CPU; depth 3 width 4 60 vs 12. The JS loops run at
 * ≈ 3–4 ns per multiply-add, so they win only where tfjs's per-kernel overhead dominates.
 */
const FUSED_GRADIENT_MAX_WORK = 3e5;

const KNOWN = ["size", "depth", "width", "residual", "z2", "biasFreeFirst", "bias", "epsilon", "seed", "rng"] as const;
/** The fields of `MadeConfig`. */
const CONFIG_KEYS = ["type", "size", "depth", "width", "residual", "z2", "biasFreeFirst", "bias", "epsilon"] as const;

/** The architecture of a MADE as stored in checkpoints. */
export interface MadeConfig extends ModelConfig {
  type: "made";
  depth: number;
  width: number;
  residual: boolean;
  z2: boolean;
  biasFreeFirst: boolean;
  bias: boolean;
  epsilon: number;
}

export class Made extends AutoregressiveSpinModel implements ReinforceGradientModel {
  protected readonly kind = "made";
  readonly size: number;
  readonly depth: number;
  readonly width: number;
  readonly residual: boolean;
  readonly z2: boolean;
  readonly biasFreeFirst: boolean;
  readonly bias: boolean;
  readonly epsilon: number;
  readonly trainableVariables: tf.Variable[];
  readonly variableNames: string[];
  private readonly layers: MadeLayer[];
  private readonly zmax: number;
  /** What the full pass and the samplers read (shape, layers, first mask). */
  private readonly net: MadeNet;
  protected readonly firstMask: tf.Tensor2D | null;

  constructor(options: MadeOptions) {
    super();
    const where = "made";
    if (options === undefined || options === null || typeof options !== "object") {
      throw new Error(`${where}: options must be an object with at least { size }`);
    }
    checkKeys(options, KNOWN, where);
    this.size = checkInteger(options.size, "size", where, { min: 1 });
    this.depth = checkInteger(options.depth ?? 2, "depth", where, { min: 1, max: 64 });
    this.width = checkInteger(options.width ?? 4, "width", where, { min: 1 });
    this.residual = checkBoolean(options.residual ?? false, "residual", where);
    this.z2 = checkBoolean(options.z2 ?? false, "z2", where);
    this.biasFreeFirst = checkBoolean(options.biasFreeFirst ?? false, "biasFreeFirst", where);
    this.bias = checkBoolean(options.bias ?? true, "bias", where);
    this.epsilon = checkNumber(options.epsilon ?? 1e-7, "epsilon", where, { above: 0, max: 0.1 });
    this.zmax = logitBound(this.epsilon);
    const rng = resolveRng(options, where);
    ensureBackend();

    const built = buildMadeLayers({ size: this.size, depth: this.depth, width: this.width, residual: this.residual, bias: this.bias, rng });
    this.layers = built.layers;
    this.trainableVariables = built.variables.variables;
    this.variableNames = built.variables.names;
    this.firstMask = this.biasFreeFirst ? firstSiteMask(this.size) : null;
    this.net = {
      size: this.size, depth: this.depth, width: this.width, z2: this.z2, biasFreeFirst: this.biasFreeFirst,
      zmax: this.zmax, layers: this.layers, firstMask: this.firstMask,
    };
  }

  config(): MadeConfig {
    return {
      type: "made",
      size: this.size,
      depth: this.depth,
      width: this.width,
      residual: this.residual,
      z2: this.z2,
      biasFreeFirst: this.biasFreeFirst,
      bias: this.bias,
      epsilon: this.epsilon,
    };
  }

  /**
   * A fresh MADE with the architecture of `config` (from `config()` or a
   * checkpoint); the weights are drawn anew, to be loaded afterwards. Fields
   * missing from an older config take their defaults.
   */
  static fromConfig(config: ModelConfig): Made {
    const c = checkModelConfig<MadeConfig>(config, "made", CONFIG_KEYS, "made.fromConfig");
    return new Made({
      size: c.size, depth: c.depth, width: c.width, residual: c.residual, z2: c.z2, biasFreeFirst: c.biasFreeFirst, bias: c.bias, epsilon: c.epsilon,
    });
  }

  /** Number of trainable parameters (masked-out weights not counted). */
  parameterCount(): number {
    return maskedParameterCount(this.layers);
  }

  /** Conditional logits z_i = logit q₀(s_i = +1 | s_<i), clamped, [batch, N], in one full pass. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive("logits");
    this.checkInput(x, "logits");
    return madeLogits(this.net, x);
  }

  /** Draw samples into typed arrays: the JS loop for small models, tfjs matmuls for large ones (`options.path`). */
  sampleArrays(batch: number, options?: MadeSampleOptions): SpinSamples {
    this.checkAlive("sample");
    return sampleMadeArrays(this.net, batch, options);
  }

  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkAlive("logProbArrays");
    return madeLogProbArrays(this.net, x, batch);
  }

  /**
   * The REINFORCE surrogate's gradients in one typed-array pass (closed-form
   * backward through the masked layers; see madeGradient.ts and
   * `ReinforceGradientModel`): ln q of `x` ([batch × N] ±1, row-major),
   * L = signal(ln q), and ∂/∂variables of (1/B) Σ (L − L̄) ln q as new
   * tensors in `trainableVariables` order. Equal to float32 rounding to
   * `tf.variableGrads(() => reinforceLoss(this.logProb(xT), L))`.
   */
  reinforceGradients(x: ArrayLike<number>, batch: number, signal: (logProb: Float64Array) => ArrayLike<number>): ReinforceGradients {
    this.checkAlive("reinforceGradients");
    return madeReinforceGradients(this.net, this.trainableVariables, x, batch, signal);
  }

  /** Whether `reinforceGradients` is at least as fast as tfjs's gradient at this batch: tiny networks only (see FUSED_GRADIENT_MAX_WORK). */
  prefersReinforceGradients(batch: number): boolean {
    return this.forwardMacs() * batch <= FUSED_GRADIENT_MAX_WORK;
  }

  /** Multiply-adds of one forward pass of one configuration over the unmasked weights. */
  private forwardMacs(): number {
    const n = this.size;
    let macs = 0;
    this.layers.forEach((L, l) => {
      const per = (L.inSize / n) * (L.outSize / n);
      macs += per * (l === 0 ? (n * (n - 1)) / 2 : (n * (n + 1)) / 2);
    });
    return macs;
  }

  /**
   * The slow reference sampler: reruns the full network for every site, as
   * the reference implementation does. Draws the same random numbers in the
   * same order as `sample`, so with the same seed both give the same
   * configurations. For tests and benchmarks.
   */
  sampleReference(batch: number, options?: RandomOptions): Sample {
    this.checkAlive("sampleReference");
    checkInteger(batch, "batch", "made.sampleReference", { min: 1 });
    const rng = resolveRng(options, "made.sampleReference");
    const n = this.size;
    const { u, flip } = drawUniforms(rng, batch, n, this.z2);
    return tf.tidy(() => {
      const uT = tf.tensor2d(u, [batch, n]);
      let x = tf.zeros([batch, n]) as tf.Tensor2D;
      for (let i = 0; i < n; i++) {
        const next = tf.tidy(() => {
          const z = tf.slice(this.logits(x), [0, i], [batch, 1]);
          const s = tf.sub(tf.mul(tf.cast(tf.less(tf.slice(uT, [0, i], [batch, 1]), tf.sigmoid(z)), "float32"), 2), 1);
          const onehot = tf.oneHot([i], n).reshape([1, n]);
          return tf.add(x, tf.mul(onehot, s)) as tf.Tensor2D;
        });
        x.dispose();
        x = next;
      }
      x = tf.mul(x, tf.tensor2d(flip, [batch, 1])) as tf.Tensor2D;
      return { x, logProb: this.logProb(x) };
    });
  }

  /** The masks are not variables; `dispose` frees them with the weights. */
  protected override ownedTensors(): tf.Tensor[] {
    return this.layers.map((L) => L.mask);
  }
}

/** A MADE over `size` spins; see `MadeOptions`. */
export function made(options: MadeOptions): Made {
  return new Made(options);
}
