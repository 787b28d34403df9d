/**
 * Composition of flows, fixed permutations, and the RealNVP factory:
 * couplings with alternating halves (and optionally fixed random permutations
 * between them) and optional ActNorm layers.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { ActNorm } from "./actnorm";
import { AffineCoupling, type Activation } from "./coupling";
import { checkFlowInput, type Flow } from "./types";

/** A fixed permutation of the coordinates (volume preserving). */
export class Permutation implements Flow {
  readonly dim: number;
  readonly perm: Int32Array;
  private readonly inv: Int32Array;
  readonly trainableVariables: tf.Variable[] = [];

  constructor(options: { perm: ArrayLike<number> }) {
    const where = "Permutation";
    checkKeys(options, ["perm"], where);
    const p = Int32Array.from(options?.perm ?? []);
    this.dim = p.length;
    const seen = new Uint8Array(p.length);
    p.forEach((v, k) => {
      if (!(v >= 0 && v < p.length) || seen[v]) throw new Error(`${where}: perm must be a permutation of 0..${p.length - 1}; perm[${k}] = ${v}`);
      seen[v] = 1;
    });
    this.perm = p;
    this.inv = new Int32Array(p.length);
    p.forEach((v, k) => (this.inv[v] = k));
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "Permutation.forward");
    return tf.tidy(() => ({ x: tf.gather(z, tf.tensor1d(this.perm, "int32"), 1) as tf.Tensor2D, logDet: tf.zeros([z.shape[0]]) as tf.Tensor1D }));
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "Permutation.inverse");
    return tf.tidy(() => ({ z: tf.gather(x, tf.tensor1d(this.inv, "int32"), 1) as tf.Tensor2D, logDet: tf.zeros([x.shape[0]]) as tf.Tensor1D }));
  }

  dispose(): void {}
}

/** Flows applied in order: forward runs layers[0] first (the z side), inverse runs the last one first. */
export class CompositeFlow implements Flow {
  readonly dim: number;
  readonly layers: Flow[];

  constructor(layers: Flow[]) {
    if (!Array.isArray(layers) || layers.length === 0) throw new Error("CompositeFlow: layers must be a non-empty array of flows");
    this.dim = layers[0].dim;
    layers.forEach((l, k) => {
      if (l.dim !== this.dim) throw new Error(`CompositeFlow: layers[${k}] has dim ${l.dim}, layers[0] has ${this.dim}`);
    });
    this.layers = layers.slice();
  }

  get trainableVariables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.trainableVariables);
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "CompositeFlow.forward");
    return tf.tidy(() => {
      let x = z;
      let logDet: tf.Tensor1D | null = null;
      for (const l of this.layers) {
        const r = l.forward(x);
        x = r.x;
        logDet = logDet === null ? r.logDet : (tf.add(logDet, r.logDet) as tf.Tensor1D);
      }
      return { x, logDet: logDet as tf.Tensor1D };
    });
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "CompositeFlow.inverse");
    return tf.tidy(() => {
      let z = x;
      let logDet: tf.Tensor1D | null = null;
      for (let k = this.layers.length - 1; k >= 0; k--) {
        const r = this.layers[k].inverse(z);
        z = r.z;
        logDet = logDet === null ? r.logDet : (tf.add(logDet, r.logDet) as tf.Tensor1D);
      }
      return { z, logDet: logDet as tf.Tensor1D };
    });
  }

  /** Initialise every data-dependent layer (ActNorm), passing the data back through the flow from the x side. */
  initialize(x: tf.Tensor2D): void {
    checkFlowInput(x, this.dim, "x", "CompositeFlow.initialize");
    let cur = tf.clone(x);
    for (let k = this.layers.length - 1; k >= 0; k--) {
      const l = this.layers[k];
      if (l.initialize !== undefined) l.initialize(cur);
      const { z, logDet } = l.inverse(cur);
      logDet.dispose();
      cur.dispose();
      cur = z;
    }
    cur.dispose();
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}

/** Compose flows (layers[0] acts first on z). */
export function composeFlows(layers: Flow[]): CompositeFlow {
  return new CompositeFlow(layers);
}

export interface RealNVPOptions extends RandomOptions {
  /** Number of coordinates (≥ 2). */
  dim: number;
  /** Number of affine coupling layers (default 8; they alternate which half is transformed). */
  layers?: number;
  /** Hidden widths of each conditioner (default [64, 64]). */
  hidden?: number[];
  /** Bound on |s| of each coupling (default 2). */
  scaleBound?: number;
  activation?: Activation;
  /** Hand-written coupling gradients (default true). */
  customGradient?: boolean;
  /** "alternate" (default): halves alternate; "random": also a fixed random permutation before every coupling. */
  permutation?: "alternate" | "random";
  /** Put an ActNorm before every coupling and one at the x end (default false). */
  actNorm?: boolean;
}

/** A RealNVP flow: affine couplings with alternating halves, optional permutations and ActNorm; identity at initialisation. */
export function realNVP(options: RealNVPOptions): CompositeFlow {
  const where = "realNVP";
  checkKeys(options, ["dim", "layers", "hidden", "scaleBound", "activation", "customGradient", "permutation", "actNorm", "seed", "rng"], where);
  ensureBackend();
  const dim = checkInteger(options?.dim, "dim", where, { min: 2 });
  const n = options.layers === undefined ? 8 : checkInteger(options.layers, "layers", where, { min: 1 });
  const permutation = options.permutation === undefined ? "alternate" : checkOneOf(options.permutation, ["alternate", "random"] as const, "permutation", where);
  if (options.scaleBound !== undefined) checkNumber(options.scaleBound, "scaleBound", where, { above: 0 });
  const rng = resolveRng(options, where);
  const layers: Flow[] = [];
  for (let k = 0; k < n; k++) {
    if (options.actNorm === true) layers.push(new ActNorm({ dim }));
    if (permutation === "random") {
      const p = Array.from({ length: dim }, (_, i) => i);
      rng.shuffle(p);
      layers.push(new Permutation({ perm: p }));
    }
    layers.push(
      new AffineCoupling({ dim, parity: (k % 2) as 0 | 1, hidden: options.hidden, scaleBound: options.scaleBound, activation: options.activation, customGradient: options.customGradient, rng }),
    );
  }
  if (options.actNorm === true) layers.push(new ActNorm({ dim }));
  return new CompositeFlow(layers);
}
