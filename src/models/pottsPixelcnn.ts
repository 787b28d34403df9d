/**
 * PixelCNN for q-state (Potts) variables on a 2-D grid: the masked
 * convolutions of the Ising PixelCNN (pixelcnn.ts; the stages, the split and
 * periodic convolutions of pixelcnnConv.ts) with a one-hot input of q
 * channels and q output channels, the logits of q₀(σ_i = k | σ_<i) =
 * softmax_k(z_i) (see potts.ts for the conditionals, the q = 2 ↔ Ising map and
 * the relabelling symmetries). Sites are row-major, r·cols + c; periodic
 * grids wrap the convolutions where they read only drawn sites, as for spins.
 *
 * The fast sampler is the Ising PixelCNN's row-cached loop
 * (pixelcnnSampler.ts `samplePixelCnnRows`, one forward pass of arithmetic
 * per sample) with a categorical drawer: softmax, cumulative sum and a
 * comparison with the site's uniform, then the one-hot state as the next
 * input. ln q is summed in float64 from the read-back logits.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkBoolean, checkInteger, checkKeys, checkNumber } from "../core/validate";
import type { PottsSystem } from "../systems/types";
import { buildPixelCnnStages, pixelcnnLogits, type PixelCnnNet, type PixelCnnStage } from "./pixelcnnConv";
import { samplePixelCnnRows, type SiteDrawer } from "./pixelcnnSampler";
import { AutoregressivePottsModel, firstSiteLogitMask, logSumExpRow, type BaseSamples, type PottsSymmetry } from "./potts";
import { pottsShape } from "./pottsMade";
import { checkModelConfig, logitBound, type ModelConfig } from "./spin";

export interface PottsPixelCnnOptions extends RandomOptions {
  /** A Potts system on a 2-D grid (gives rows × cols and q). Give this or `L` and `q`. */
  system?: PottsSystem;
  /** Rows of the grid (when no `system` is given). */
  L?: number;
  /** Columns (default `L`). */
  cols?: number;
  /** Number of states (≥ 2; from the system when given). */
  q?: number;
  /** Number of masked convolutions (≥ 1; default 3). */
  depth?: number;
  /** Channels of the hidden layers (default 32). */
  width?: number;
  /** Kernel half-size k: kernels (2k+1)×(2k+1) (default 3). */
  halfKernel?: number;
  /** Middle layers as residual blocks (default false). */
  residual?: boolean;
  /** Relabelling symmetry (see potts.ts): "none" (default), "mixture" (q ≤ 4) or "first-state". */
  symmetry?: PottsSymmetry;
  /** Biases in the convolutions (default true). */
  bias?: boolean;
  /** Fix the first conditional to uniform (default: `bias` and no symmetry, as for spins). */
  biasFreeFirst?: boolean;
  /** Logits are clamped to ±ln((1−ε)/ε) (default 1e-7). */
  epsilon?: number;
  /** Wrap the convolutions on a torus (default: true when `system` is periodic both ways and k < rows, cols). */
  periodic?: boolean;
  /** Samples per chunk in `sample` (default 512). */
  sampleChunk?: number;
}

const KNOWN = [
  "system", "L", "cols", "q", "depth", "width", "halfKernel", "residual", "symmetry", "bias", "biasFreeFirst", "epsilon", "periodic", "sampleChunk",
  "seed", "rng",
] as const;
const CONFIG_KEYS = [
  "type", "size", "rows", "cols", "q", "depth", "width", "halfKernel", "residual", "symmetry", "bias", "biasFreeFirst", "epsilon", "periodic",
] as const;

/** The architecture of a q-state PixelCNN as stored in checkpoints. */
export interface PottsPixelCnnConfig extends ModelConfig {
  type: "potts-pixelcnn";
  rows: number;
  cols: number;
  q: number;
  depth: number;
  width: number;
  halfKernel: number;
  residual: boolean;
  symmetry: PottsSymmetry;
  bias: boolean;
  biasFreeFirst: boolean;
  epsilon: number;
  periodic: boolean;
}

export class PottsPixelCnn extends AutoregressivePottsModel {
  protected readonly kind = "pottsPixelcnn";
  readonly size: number;
  readonly rows: number;
  readonly cols: number;
  readonly q: number;
  readonly depth: number;
  readonly width: number;
  readonly halfKernel: number;
  readonly residual: boolean;
  readonly symmetry: PottsSymmetry;
  readonly bias: boolean;
  readonly biasFreeFirst: boolean;
  readonly epsilon: number;
  readonly periodic: boolean;
  readonly trainableVariables: tf.Variable[];
  readonly variableNames: string[];
  private readonly stages: PixelCnnStage[];
  private readonly net: PixelCnnNet;
  private readonly sampleChunk: number;
  protected readonly firstMask: tf.Tensor2D | null;

  constructor(options: PottsPixelCnnOptions) {
    super();
    const W = "pottsPixelcnn";
    if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options must be an object with { system } or { L, q }`);
    checkKeys(options, KNOWN, W);
    if ((options.system === undefined) === (options.L === undefined)) throw new Error(`${W}: give exactly one of system (a Potts system on a 2-D grid) or L (grid rows)`);
    const shape = pottsShape(options, W);
    this.q = shape.q;
    this.symmetry = shape.symmetry;
    if (options.system !== undefined) {
      const s = options.system;
      const g = s.geometry;
      if (g === null || g === undefined || g.grid.length !== 2) {
        throw new Error(`${W}: system "${s.name}" has ${g == null ? "no grid geometry" : `a ${g.grid.length}-D grid`}; PixelCNN needs a 2-D grid (use pottsMade)`);
      }
      if (options.cols !== undefined) throw new Error(`${W}: cols comes from the system's geometry; do not give it with system`);
      this.rows = g.grid[0];
      this.cols = g.grid[1];
      if (this.rows * this.cols !== s.n) throw new Error(`${W}: system "${s.name}" has ${s.n} variables but a ${this.rows}×${this.cols} grid`);
    } else {
      this.rows = checkInteger(options.L, "L", W, { min: 1 });
      this.cols = checkInteger(options.cols ?? this.rows, "cols", W, { min: 1 });
    }
    this.size = this.rows * this.cols;
    this.depth = checkInteger(options.depth ?? 3, "depth", W, { min: 1, max: 64 });
    this.width = checkInteger(options.width ?? 32, "width", W, { min: 1 });
    this.halfKernel = checkInteger(options.halfKernel ?? 3, "halfKernel", W, { min: 1, max: 64 });
    this.residual = checkBoolean(options.residual ?? false, "residual", W);
    this.bias = checkBoolean(options.bias ?? true, "bias", W);
    this.biasFreeFirst = checkBoolean(options.biasFreeFirst ?? (this.bias && this.symmetry === "none"), "biasFreeFirst", W);
    this.epsilon = checkNumber(options.epsilon ?? 1e-7, "epsilon", W, { above: 0, max: 0.1 });
    this.sampleChunk = checkInteger(options.sampleChunk ?? 512, "sampleChunk", W, { min: 1 });
    const k = this.halfKernel;
    const fits = k < this.rows && k < this.cols;
    const torus = options.system?.geometry?.periodic.every((v) => v) ?? false;
    this.periodic = checkBoolean(options.periodic ?? (torus && fits), "periodic", W);
    if (this.periodic && !fits) throw new Error(`${W}: a periodic PixelCNN needs halfKernel < rows and < cols; got halfKernel ${k} on a ${this.rows}×${this.cols} grid`);
    const rng = resolveRng(options, W);
    ensureBackend();
    const built = buildPixelCnnStages({
      depth: this.depth, width: this.width, halfKernel: k, residual: this.residual, bias: this.bias, periodic: this.periodic, rng,
      inChannels: this.q, outChannels: this.q, prefix: "pottspixelcnn",
    });
    this.stages = built.stages;
    this.trainableVariables = built.variables.variables;
    this.variableNames = built.variables.names;
    this.firstMask = this.biasFreeFirst ? firstSiteLogitMask(this.size, this.q) : null;
    this.net = {
      rows: this.rows, cols: this.cols, halfKernel: k, periodic: this.periodic, convolution: "split", biasFreeFirst: this.biasFreeFirst,
      zmax: logitBound(this.epsilon), stages: this.stages, firstMask: this.firstMask,
    };
  }

  config(): PottsPixelCnnConfig {
    return {
      type: "potts-pixelcnn", size: this.size, rows: this.rows, cols: this.cols, q: this.q, depth: this.depth, width: this.width, halfKernel: this.halfKernel,
      residual: this.residual, symmetry: this.symmetry, bias: this.bias, biasFreeFirst: this.biasFreeFirst, epsilon: this.epsilon, periodic: this.periodic,
    };
  }

  /** A fresh q-state PixelCNN with the architecture of `config` (weights drawn anew, to be loaded afterwards). */
  static fromConfig(config: ModelConfig): PottsPixelCnn {
    const W = "pottsPixelcnn.fromConfig";
    const c = checkModelConfig<PottsPixelCnnConfig>(config, "potts-pixelcnn", CONFIG_KEYS, W);
    if (c.size !== c.rows * c.cols) throw new Error(`${W}: config.size ${c.size} is not rows·cols = ${c.rows}·${c.cols}`);
    return new PottsPixelCnn({
      L: c.rows, cols: c.cols, q: c.q, depth: c.depth, width: c.width, halfKernel: c.halfKernel, residual: c.residual, symmetry: c.symmetry, bias: c.bias,
      biasFreeFirst: c.biasFreeFirst, epsilon: c.epsilon, periodic: c.periodic,
    });
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    let c = 0;
    for (const v of this.trainableVariables) c += v.size;
    return c;
  }

  protected netLogits(onehot: tf.Tensor2D): tf.Tensor2D {
    return pixelcnnLogits(this.net, onehot);
  }

  protected sampleBase(u: Float32Array, batch: number, fixFirst: boolean, withLq: boolean): BaseSamples {
    const n = this.size;
    const q = this.q;
    const states = new Float32Array(batch * n);
    const logProb = new Float64Array(batch);
    for (let b0 = 0; b0 < batch; b0 += this.sampleChunk) {
      const count = Math.min(this.sampleChunk, batch - b0);
      const { inputs, logits } = samplePixelCnnRows(this.net, count, this.drawer(u, b0, count, fixFirst));
      for (let s = 0; s < count; s++) {
        let lq = 0;
        for (let i = 0; i < n; i++) {
          const o = (s * n + i) * q;
          let k = 0;
          while (k < q - 1 && inputs[o + k] !== 1) k++;
          states[(b0 + s) * n + i] = k;
          if (withLq && !(i === 0 && fixFirst)) lq += logits[o + k] - logSumExpRow(logits, o, q);
        }
        logProb[b0 + s] = withLq ? lq : NaN;
      }
    }
    return { states, logProb };
  }

  /**
   * Draws site (r, c) of samples b0 … b0+count−1: softmax of the clamped
   * logits, cumulative sum, state = number of cumulative probabilities ≤ the
   * uniform (at most q − 1), one-hot.
   */
  private drawer(u: Float32Array, b0: number, count: number, fixFirst: boolean): SiteDrawer {
    const n = this.size;
    const q = this.q;
    const C = this.cols;
    const zmax = this.net.zmax;
    let cols: tf.Tensor2D[] = [];
    return {
      startRow: (r) => {
        const col = new Float32Array(C * count);
        for (let c = 0; c < C; c++) for (let s = 0; s < count; s++) col[c * count + s] = u[(b0 + s) * n + r * C + c];
        cols = tf.tidy(() => tf.split(tf.tensor2d(col, [C, count]), C, 0).map((t) => tf.reshape(t, [count, 1]) as tf.Tensor2D));
        return (c, z) => {
          if (fixFirst && r === 0 && c === 0) return tf.cast(tf.oneHot(tf.zeros([count], "int32") as tf.Tensor1D, q), "float32") as tf.Tensor2D;
          const cum = tf.cumsum(tf.softmax(tf.clipByValue(z, -zmax, zmax)), 1);
          const k = tf.cast(tf.minimum(tf.sum(tf.cast(tf.lessEqual(cum, cols[c]), "int32"), 1), tf.scalar(q - 1, "int32")), "int32") as tf.Tensor1D;
          return tf.cast(tf.oneHot(k, q), "float32") as tf.Tensor2D;
        };
      },
      endRow: () => {
        tf.dispose(cols);
        cols = [];
      },
    };
  }
}

/** A q-state PixelCNN on a 2-D grid; see `PottsPixelCnnOptions`. */
export function pottsPixelcnn(options: PottsPixelCnnOptions): PottsPixelCnn {
  return new PottsPixelCnn(options);
}
