/**
 * Convolutional coupling layers for fields on an L×L periodic lattice
 * (Albergo, Kanwar, Shanahan, PRD 100, 034515, 2019). The sites are split by
 * a checkerboard mask into the frozen sublattice (r + c ≢ parity mod 2) and
 * the active one (r + c ≡ parity): the active sites are transformed
 * elementwise, y_a = T(x_a; θ_a), with parameters θ from a small periodic
 * CNN that sees only the frozen sites (the active ones zeroed),
 *
 *   θ = CNN(x ⊙ m_frozen),   x ↦ (x_frozen, T(x_active; θ_active)),
 *
 * so the Jacobian is triangular and ln|det| = Σ_active ln|∂T/∂x|. The CNN
 * uses circular padding (the lattice is periodic: every site sees the same
 * neighbourhood), so its parameters do not depend on L; its last layer starts
 * at zero, which makes the affine coupling the identity at initialisation.
 * The transform is any `ElementwiseTransform` (affine by default; the
 * rational-quadratic spline plugs in the same way).
 *
 * Fields travel flat, [batch, L²] row-major (site r·L + c), as the `Flow`
 * contract and the systems want; the CNN reshapes to NHWC [batch, L, L, 1].
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkOneOf } from "../core/validate";
import { affineTransform } from "./affineTransform";
import { CompositeFlow } from "./composite";
import { ownedVariable } from "./coupling";
import type { ElementwiseTransform } from "./transforms";
import { checkFlowInput, type Flow } from "./types";

export type ConvActivation = "leakyRelu" | "relu" | "tanh";

export interface ConvCouplingOptions extends RandomOptions {
  /** Linear lattice size (≥ 2); the flow acts on [batch, L²]. */
  L: number;
  /** Sublattice transformed: sites with (r + c) mod 2 = parity (default 0). */
  parity?: 0 | 1;
  /** Channels of the hidden convolutions (default [16, 16]). */
  hidden?: number[];
  /** Odd kernel size of every convolution (default 3). */
  kernel?: number;
  /** Hidden activation (default "leakyRelu", slope 0.2). */
  activation?: ConvActivation;
  /** Elementwise transform of the active sites (default `affineTransform()`). */
  transform?: ElementwiseTransform;
}

function checkTransform(t: unknown, where: string): ElementwiseTransform {
  const tr = t as Partial<ElementwiseTransform> | null;
  if (tr === null || typeof tr !== "object" || typeof tr.forward !== "function" || typeof tr.inverse !== "function" || !(Number.isInteger(tr.paramsPerElement) && (tr.paramsPerElement as number) >= 1)) {
    throw new Error(`${where}: transform must be an ElementwiseTransform (forward, inverse, paramsPerElement)`);
  }
  return tr as ElementwiseTransform;
}

function checkHidden(h: unknown, where: string): number[] {
  if (!Array.isArray(h)) throw new Error(`${where}: hidden must be an array of channel counts`);
  h.forEach((v, k) => checkInteger(v, `hidden[${k}]`, where, { min: 1 }));
  return h.slice();
}

function checkKernel(k: unknown, L: number, where: string): number {
  const kernel = checkInteger(k, "kernel", where, { min: 1 });
  if (kernel % 2 !== 1) throw new Error(`${where}: kernel must be odd, got ${kernel}`);
  if ((kernel - 1) / 2 > L) throw new Error(`${where}: kernel ${kernel} is wider than the lattice (L = ${L}) can wrap`);
  return kernel;
}

/**
 * Indices into the flat L² sites of the circularly padded (L + 2p)² grid: one
 * gather pads periodically (one kernel, and one in the gradient, instead of
 * four slices and two concats).
 */
function wrapIndex(L: number, p: number): Int32Array {
  const W = L + 2 * p;
  const idx = new Int32Array(W * W);
  for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) idx[r * W + c] = ((r - p + L) % L) * L + ((c - p + L) % L);
  return idx;
}

/** One checkerboard-masked coupling with a periodic CNN conditioner. */
export class ConvCoupling implements Flow {
  readonly dim: number;
  readonly L: number;
  readonly parity: 0 | 1;
  readonly kernel: number;
  readonly hidden: number[];
  readonly activation: ConvActivation;
  readonly transform: ElementwiseTransform;
  private readonly filters: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];
  /** Site indices of the active sublattice, the frozen one, and the gather that reassembles [frozen | active] into site order. */
  private readonly active: tf.Tensor1D;
  private readonly frozen: tf.Tensor1D;
  private readonly reassemble: tf.Tensor1D;
  /** 1 on frozen sites, 0 on active ones, [1, L², 1]. */
  private readonly mask: tf.Tensor3D;
  /** Gather indices of the circular padding, null for kernel 1. */
  private readonly pad: tf.Tensor1D | null;

  constructor(options: ConvCouplingOptions) {
    const where = "ConvCoupling";
    checkKeys(options, ["L", "parity", "hidden", "kernel", "activation", "transform", "seed", "rng"], where);
    ensureBackend();
    this.L = checkInteger(options?.L, "L", where, { min: 2 });
    if (options.parity !== undefined && options.parity !== 0 && options.parity !== 1) throw new Error(`${where}: parity must be 0 or 1, got ${String(options.parity)}`);
    this.parity = options.parity ?? 0;
    this.hidden = checkHidden(options.hidden ?? [16, 16], where);
    this.kernel = checkKernel(options.kernel ?? 3, this.L, where);
    this.activation = options.activation === undefined ? "leakyRelu" : checkOneOf(options.activation, ["leakyRelu", "relu", "tanh"] as const, "activation", where);
    this.transform = options.transform === undefined ? affineTransform() : checkTransform(options.transform, where);
    const rng = resolveRng(options, where);
    const L = this.L;
    this.dim = L * L;
    const act: number[] = [], fro: number[] = [];
    const maskData = new Float32Array(this.dim);
    for (let r = 0; r < L; r++) {
      for (let c = 0; c < L; c++) {
        const i = r * L + c;
        if ((r + c) % 2 === this.parity) act.push(i);
        else {
          fro.push(i);
          maskData[i] = 1;
        }
      }
    }
    const where2 = new Int32Array(this.dim);
    fro.forEach((site, k) => (where2[site] = k));
    act.forEach((site, k) => (where2[site] = fro.length + k));
    // kept: a coupling built inside a caller's tf.tidy must not lose its constants
    this.active = tf.keep(tf.tensor1d(act, "int32"));
    this.frozen = tf.keep(tf.tensor1d(fro, "int32"));
    this.reassemble = tf.keep(tf.tensor1d(where2, "int32"));
    this.mask = tf.keep(tf.tensor3d(maskData, [1, this.dim, 1]));
    const k = this.kernel;
    this.pad = k === 1 ? null : tf.keep(tf.tensor1d(wrapIndex(L, (k - 1) / 2), "int32"));
    const channels = [1, ...this.hidden, this.transform.paramsPerElement];
    for (let l = 0; l + 1 < channels.length; l++) {
      const last = l + 2 === channels.length;
      const cin = channels[l], cout = channels[l + 1];
      const w = new Float32Array(k * k * cin * cout);
      if (!last) {
        const std = Math.sqrt((this.activation === "tanh" ? 1 : 2) / (k * k * cin));
        for (let j = 0; j < w.length; j++) w[j] = std * rng.normal();
      }
      this.filters.push(ownedVariable(tf.tensor4d(w, [k, k, cin, cout])));
      this.biases.push(ownedVariable(tf.zeros([cout])));
    }
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.filters, ...this.biases];
  }

  /** Conditioner output on the active sites, [batch, V/2, paramsPerElement]. */
  private params(x: tf.Tensor2D): tf.Tensor3D {
    const B = x.shape[0];
    const L = this.L;
    const W = L + this.kernel - 1;
    // channels-last flat sites [B, L², C]; each layer pads by one gather, convolves "valid" back to L×L
    let h = tf.mul(tf.reshape(x, [B, this.dim, 1]), this.mask) as tf.Tensor3D;
    const n = this.filters.length;
    for (let l = 0; l < n; l++) {
      const C = h.shape[2];
      const padded = (this.pad === null ? tf.reshape(h, [B, L, L, C]) : tf.reshape(tf.gather(h, this.pad, 1), [B, W, W, C])) as tf.Tensor4D;
      const last = l + 1 === n;
      const fusedAct = !last && this.activation === "relu" ? "relu" : "linear";
      let y = tf.fused.conv2d({ x: padded, filter: this.filters[l] as tf.Tensor4D, strides: 1, pad: "valid", bias: this.biases[l], activation: fusedAct }) as tf.Tensor4D;
      if (!last && this.activation === "tanh") y = tf.tanh(y);
      else if (!last && this.activation === "leakyRelu") y = tf.leakyRelu(y, 0.2);
      h = tf.reshape(y, [B, this.dim, y.shape[3]]) as tf.Tensor3D;
    }
    return tf.gather(h, this.active, 1) as tf.Tensor3D;
  }

  private apply(dir: "forward" | "inverse", v: tf.Tensor2D): { out: tf.Tensor2D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const theta = this.params(v);
      const a = tf.gather(v, this.active, 1);
      const f = tf.gather(v, this.frozen, 1);
      let y: tf.Tensor, logDet: tf.Tensor1D;
      if (dir === "forward") ({ y, logDet } = this.transform.forward(a, theta));
      else ({ x: y, logDet } = this.transform.inverse(a, theta));
      const out = tf.gather(tf.concat([f, y], 1), this.reassemble, 1) as tf.Tensor2D;
      return { out, logDet };
    });
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "ConvCoupling.forward");
    const { out, logDet } = this.apply("forward", z);
    return { x: out, logDet };
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "ConvCoupling.inverse");
    const { out, logDet } = this.apply("inverse", x);
    return { z: out, logDet };
  }

  dispose(): void {
    tf.dispose([...this.filters, ...this.biases, this.active, this.frozen, this.reassemble, this.mask, ...(this.pad === null ? [] : [this.pad])]);
    this.filters.length = 0;
    this.biases.length = 0;
  }
}

/** A convolutional checkerboard coupling (factory). */
export function convCoupling(options: ConvCouplingOptions): ConvCoupling {
  return new ConvCoupling(options);
}

export interface ConvFlowOptions extends RandomOptions {
  /** Linear lattice size (≥ 2); the flow acts on [batch, L²]. */
  L: number;
  /** Number of couplings, alternating the checkerboard parity (default 8; even, so each sublattice is transformed equally often). */
  layers?: number;
  /** Hidden channels of every conditioner (default [16, 16]). */
  hidden?: number[];
  /** Odd kernel size (default 3). */
  kernel?: number;
  activation?: ConvActivation;
  /** Elementwise transform of every coupling (default `affineTransform()`); shared, it holds no weights. */
  transform?: ElementwiseTransform;
}

/** A stack of convolutional couplings: the flow of the φ⁴ Boltzmann generator. */
export class ConvFlow extends CompositeFlow {
  readonly L: number;
  private readonly cfg: Record<string, unknown>;
  constructor(layers: ConvCoupling[], cfg: Record<string, unknown>) {
    super(layers);
    this.L = layers[0].L;
    this.cfg = cfg;
  }
  /** The options that rebuild it (without the seed), for run records. */
  config(): Record<string, unknown> {
    return { ...this.cfg };
  }
}

/**
 * `layers` convolutional couplings with alternating checkerboard parity,
 * identity at initialisation for the affine transform. Use it with a standard
 * normal prior: `boltzmannGenerator({ flow: convFlow({ L: 16 }) })`, and
 * train it by energy with `trainBoltzmannGenerator` (for lattice actions with
 * `energyCut: false`: S is O(V), far above the default cut at βE = 100). Parameters:
 * layers·Σ_l (k²·c_l·c_{l+1} + c_{l+1}), independent of L.
 */
export function convFlow(options: ConvFlowOptions): ConvFlow {
  const where = "convFlow";
  checkKeys(options, ["L", "layers", "hidden", "kernel", "activation", "transform", "seed", "rng"], where);
  ensureBackend();
  const L = checkInteger(options?.L, "L", where, { min: 2 });
  const n = options.layers === undefined ? 8 : checkInteger(options.layers, "layers", where, { min: 1 });
  const hidden = checkHidden(options.hidden ?? [16, 16], where);
  const kernel = checkKernel(options.kernel ?? 3, L, where);
  const activation = options.activation === undefined ? "leakyRelu" : checkOneOf(options.activation, ["leakyRelu", "relu", "tanh"] as const, "activation", where);
  const transform = options.transform === undefined ? affineTransform() : checkTransform(options.transform, where);
  const rng = resolveRng(options, where);
  const layers: ConvCoupling[] = [];
  for (let k = 0; k < n; k++) layers.push(new ConvCoupling({ L, parity: (k % 2) as 0 | 1, hidden, kernel, activation, transform, rng }));
  return new ConvFlow(layers, { type: "convFlow", L, layers: n, hidden, kernel, activation, transform: transform.config });
}
