/**
 * MADE for q-state (Potts) variables: the dense autoregressive network of the
 * Ising MADE (made.ts, the same masked layers of madeLayers.ts) with a one-hot
 * input of q units per site and q logits per site, q₀(σ_i = k | σ_<i) =
 * softmax_k(z_i) (see potts.ts for the conditionals, the q = 2 ↔ Ising map
 * and the relabelling symmetries).
 *
 * Layers: an exclusive masked dense layer N·q → width·N (site i's units see
 * the one-hot states of sites j < i), depth − 2 masked hidden layers
 * width·N → width·N (optionally residual), a masked layer width·N → N·q; PReLU
 * before every layer after the first. Depth 1 is the single exclusive layer
 * N·q → N·q (a "logistic" categorical model).
 *
 * The fast sampler (pottsMadeSampler.ts) computes each site's block of every
 * layer from the prefixes already computed (one forward pass of work per
 * sample) and sums ln q in float64.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkBoolean, checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import type { PottsSystem } from "../systems/types";
import { buildMadeLayers, madeLogits, maskedParameterCount, type MadeLayer, type MadeNet } from "./madeLayers";
import {
  AutoregressivePottsModel, firstSiteLogitMask, MIXTURE_MAX_Q, POTTS_SYMMETRIES, type BaseSamples, type PottsSymmetry,
} from "./potts";
import { runPottsMade } from "./pottsMadeSampler";
import { checkModelConfig, logitBound, type ModelConfig } from "./spin";

export interface PottsMadeOptions extends RandomOptions {
  /** A Potts system: gives `size` and `q` (and refuses a symmetry its energy lacks). Give this or `size` and `q`. */
  system?: PottsSystem;
  /** Number of variables N (≥ 1). */
  size?: number;
  /** Number of states per variable (≥ 2). */
  q?: number;
  /** Number of masked dense layers (≥ 1; default 2). */
  depth?: number;
  /** Hidden units per site: each hidden layer has width·N units (default 4). */
  width?: number;
  /** Hidden-to-hidden layers as residual blocks (default false). */
  residual?: boolean;
  /** Relabelling symmetry (see potts.ts): "none" (default), "mixture" (S_q mixture, q ≤ 4) or "first-state" (σ₀ = 0 and a uniform cyclic relabelling). */
  symmetry?: PottsSymmetry;
  /** Fix the first conditional to uniform (default false). */
  biasFreeFirst?: boolean;
  /** Biases in the masked layers (default true). */
  bias?: boolean;
  /** Logits are clamped to ±ln((1−ε)/ε) (default 1e-7). */
  epsilon?: number;
}

const KNOWN = ["system", "size", "q", "depth", "width", "residual", "symmetry", "biasFreeFirst", "bias", "epsilon", "seed", "rng"] as const;
const CONFIG_KEYS = ["type", "size", "q", "depth", "width", "residual", "symmetry", "biasFreeFirst", "bias", "epsilon"] as const;

/** The architecture of a q-state MADE as stored in checkpoints. */
export interface PottsMadeConfig extends ModelConfig {
  type: "potts-made";
  q: number;
  depth: number;
  width: number;
  residual: boolean;
  symmetry: PottsSymmetry;
  biasFreeFirst: boolean;
  bias: boolean;
  epsilon: number;
}

/** Check the size/q/symmetry options shared by the q-state models against an optional system. */
export function pottsShape(
  options: { system?: PottsSystem; size?: number; q?: number; symmetry?: PottsSymmetry },
  where: string,
): { size: number | null; q: number; symmetry: PottsSymmetry } {
  const sys = options.system;
  let size: number | null;
  let q: number;
  if (sys !== undefined) {
    if (sys === null || typeof sys !== "object" || sys.kind !== "potts") throw new Error(`${where}: system must be a PottsSystem`);
    if (options.size !== undefined) throw new Error(`${where}: size comes from the system; do not give it with system`);
    if (options.q !== undefined && options.q !== sys.q) throw new Error(`${where}: q ${String(options.q)} differs from the system's q = ${sys.q}`);
    size = sys.n;
    q = sys.q;
  } else {
    size = options.size === undefined ? null : checkInteger(options.size, "size", where, { min: 1 });
    if (options.q === undefined) throw new Error(`${where}: give q (the number of states) or a system`);
    q = checkInteger(options.q, "q", where, { min: 2, max: 256 });
  }
  const symmetry = checkOneOf(options.symmetry ?? "none", POTTS_SYMMETRIES, "symmetry", where);
  if (symmetry === "mixture" && q > MIXTURE_MAX_Q) {
    throw new Error(`${where}: symmetry "mixture" needs q ≤ ${MIXTURE_MAX_Q} (q! passes per ln q); use "first-state" for q = ${q}`);
  }
  if (symmetry !== "none" && sys !== undefined && !sys.permutationSymmetric) {
    throw new Error(`${where}: symmetry "${symmetry}" needs a system whose energy is invariant under relabellings; "${sys.name}" is not (fields?)`);
  }
  return { size, q, symmetry };
}

export class PottsMade extends AutoregressivePottsModel {
  protected readonly kind = "pottsMade";
  readonly size: number;
  readonly q: number;
  readonly depth: number;
  readonly width: number;
  readonly residual: boolean;
  readonly symmetry: PottsSymmetry;
  readonly biasFreeFirst: boolean;
  readonly bias: boolean;
  readonly epsilon: number;
  readonly trainableVariables: tf.Variable[];
  readonly variableNames: string[];
  private readonly layers: MadeLayer[];
  private readonly net: MadeNet;
  protected readonly firstMask: tf.Tensor2D | null;

  constructor(options: PottsMadeOptions) {
    super();
    const W = "pottsMade";
    if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options must be an object with { system } or { size, q }`);
    checkKeys(options, KNOWN, W);
    const shape = pottsShape(options, W);
    if (shape.size === null) throw new Error(`${W}: give size (the number of variables) or a system`);
    this.size = shape.size;
    this.q = shape.q;
    this.symmetry = shape.symmetry;
    this.depth = checkInteger(options.depth ?? 2, "depth", W, { min: 1, max: 64 });
    this.width = checkInteger(options.width ?? 4, "width", W, { min: 1 });
    this.residual = checkBoolean(options.residual ?? false, "residual", W);
    this.biasFreeFirst = checkBoolean(options.biasFreeFirst ?? false, "biasFreeFirst", W);
    this.bias = checkBoolean(options.bias ?? true, "bias", W);
    this.epsilon = checkNumber(options.epsilon ?? 1e-7, "epsilon", W, { above: 0, max: 0.1 });
    const rng = resolveRng(options, W);
    ensureBackend();
    const built = buildMadeLayers({
      size: this.size, depth: this.depth, width: this.width, residual: this.residual, bias: this.bias, rng, inPerSite: this.q, outPerSite: this.q, prefix: "pottsmade",
    });
    this.layers = built.layers;
    this.trainableVariables = built.variables.variables;
    this.variableNames = built.variables.names;
    this.firstMask = this.biasFreeFirst ? firstSiteLogitMask(this.size, this.q) : null;
    this.net = {
      size: this.size, depth: this.depth, width: this.width, z2: false, biasFreeFirst: this.biasFreeFirst, zmax: logitBound(this.epsilon),
      layers: this.layers, firstMask: this.firstMask,
    };
  }

  config(): PottsMadeConfig {
    return {
      type: "potts-made", size: this.size, q: this.q, depth: this.depth, width: this.width, residual: this.residual, symmetry: this.symmetry,
      biasFreeFirst: this.biasFreeFirst, bias: this.bias, epsilon: this.epsilon,
    };
  }

  /** A fresh q-state MADE with the architecture of `config` (weights drawn anew, to be loaded afterwards). */
  static fromConfig(config: ModelConfig): PottsMade {
    const c = checkModelConfig<PottsMadeConfig>(config, "potts-made", CONFIG_KEYS, "pottsMade.fromConfig");
    return new PottsMade({
      size: c.size, q: c.q, depth: c.depth, width: c.width, residual: c.residual, symmetry: c.symmetry, biasFreeFirst: c.biasFreeFirst, bias: c.bias,
      epsilon: c.epsilon,
    });
  }

  /** Number of trainable parameters (masked-out weights not counted). */
  parameterCount(): number {
    return maskedParameterCount(this.layers);
  }

  protected netLogits(onehot: tf.Tensor2D): tf.Tensor2D {
    return madeLogits(this.net, onehot);
  }

  protected sampleBase(u: Float32Array, batch: number, fixFirst: boolean, withLq: boolean): BaseSamples {
    return runPottsMade(this.net, this.q, batch, u, new Float32Array(batch * this.size), fixFirst, withLq);
  }

  protected override baseLogProbArrays(xs: Float32Array, batch: number, dropFirst: boolean): Float64Array {
    if (dropFirst) for (let b = 0; b < batch; b++) xs[b * this.size] = 0;
    return runPottsMade(this.net, this.q, batch, null, xs, dropFirst, true).logProb;
  }

  protected override ownedTensors(): tf.Tensor[] {
    return this.layers.map((L) => L.mask);
  }
}

/** A q-state MADE; see `PottsMadeOptions`. */
export function pottsMade(options: PottsMadeOptions): PottsMade {
  return new PottsMade(options);
}
