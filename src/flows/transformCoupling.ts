/**
 * A flat coupling layer with any elementwise transform (Dinh et al. 2017;
 * Durkan et al. 2019): split the coordinates into a conditioning half a and a
 * transformed half b and map b ↦ T(b; θ(a)) elementwise, where θ(a) comes from
 * a dense network that emits `transform.paramsPerElement` numbers per
 * transformed coordinate. The Jacobian is block triangular, so
 * ln|det ∂x/∂z| = Σ_i ln|∂T/∂b_i|, the transform's own log-determinant.
 *
 * The last conditioner layer starts at zero, so θ = 0 at initialisation; for
 * the rational-quadratic spline (src/flows/spline.ts) that is the identity
 * (equal bins, unit derivatives). Gradients are tfjs autodiff.
 *
 * `splineFlow` stacks such couplings with the spline transform and alternating
 * halves, as `realNVP` does with affine ones.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkOneOf } from "../core/validate";
import { CompositeFlow } from "./composite";
import { ownedVariable, type Activation } from "./coupling";
import { rationalQuadraticSpline, type RationalQuadraticSplineOptions } from "./spline";
import type { ElementwiseTransform } from "./transforms";
import { checkFlowInput, type Flow } from "./types";

export interface TransformCouplingOptions extends RandomOptions {
  /** Number of coordinates (≥ 2). */
  dim: number;
  /** The elementwise transform applied to the transformed half (e.g. `rationalQuadraticSpline()`). */
  transform: ElementwiseTransform;
  /** 0: transform the second half conditioned on the first; 1: the other way round (default 0). */
  parity?: 0 | 1;
  /** Hidden layer widths of the conditioner (default [64, 64]). */
  hidden?: number[];
  /** Hidden activation (default "relu"). */
  activation?: Activation;
}

function checkTransform(t: unknown, where: string): ElementwiseTransform {
  const e = t as Partial<ElementwiseTransform> | null | undefined;
  if (e === null || e === undefined || typeof e.forward !== "function" || typeof e.inverse !== "function" || !Number.isInteger(e.paramsPerElement) || (e.paramsPerElement as number) < 1) {
    throw new Error(`${where}: transform must be an ElementwiseTransform (forward, inverse, paramsPerElement ≥ 1)`);
  }
  return e as ElementwiseTransform;
}

function checkHidden(hidden: unknown, where: string): number[] {
  if (!Array.isArray(hidden)) throw new Error(`${where}: hidden must be an array of layer widths`);
  hidden.forEach((h, k) => checkInteger(h, `hidden[${k}]`, where, { min: 1 }));
  return hidden.slice();
}

/** One coupling layer b ↦ T(b; θ(a)) with a dense conditioner; identity at initialisation when T(·; 0) is. */
export class TransformCoupling implements Flow {
  readonly dim: number;
  readonly parity: 0 | 1;
  readonly transform: ElementwiseTransform;
  readonly hidden: number[];
  readonly activation: Activation;
  /** Sizes of the first and second halves. */
  private readonly split: [number, number];
  private readonly dTrans: number;
  private readonly weights: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];

  constructor(options: TransformCouplingOptions) {
    const where = "TransformCoupling";
    if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
    checkKeys(options, ["dim", "transform", "parity", "hidden", "activation", "seed", "rng"], where);
    this.dim = checkInteger(options.dim, "dim", where, { min: 2 });
    this.transform = checkTransform(options.transform, where);
    if (options.parity !== undefined && options.parity !== 0 && options.parity !== 1) {
      throw new Error(`${where}: parity must be 0 or 1, got ${String(options.parity)}`);
    }
    this.parity = options.parity ?? 0;
    this.hidden = checkHidden(options.hidden ?? [64, 64], where);
    this.activation = options.activation === undefined ? "relu" : checkOneOf(options.activation, ["relu", "tanh"] as const, "activation", where);
    const rng = resolveRng(options, where);
    ensureBackend();
    const d1 = Math.floor(this.dim / 2);
    this.split = [d1, this.dim - d1];
    const dCond = this.parity === 0 ? this.split[0] : this.split[1];
    this.dTrans = this.dim - dCond;
    const sizes = [dCond, ...this.hidden, this.dTrans * this.transform.paramsPerElement];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const last = l + 2 === sizes.length;
      const fanIn = sizes[l], fanOut = sizes[l + 1];
      const w = new Float32Array(fanIn * fanOut);
      if (!last) {
        const std = Math.sqrt((this.activation === "relu" ? 2 : 1) / fanIn);
        for (let k = 0; k < w.length; k++) w[k] = std * rng.normal();
      }
      this.weights.push(ownedVariable(tf.tensor2d(w, [fanIn, fanOut])));
      this.biases.push(ownedVariable(tf.zeros([fanOut])));
    }
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  /** The transform's raw parameters θ(a), [batch, dTrans, paramsPerElement]. */
  private conditioner(a: tf.Tensor2D): tf.Tensor3D {
    let h: tf.Tensor2D = a;
    const n = this.weights.length;
    for (let l = 0; l < n; l++) {
      const W = this.weights[l] as tf.Tensor2D, b = this.biases[l] as tf.Tensor1D;
      if (l + 1 === n) h = tf.fused.matMul({ a: h, b: W, bias: b }) as tf.Tensor2D;
      else if (this.activation === "relu") h = tf.fused.matMul({ a: h, b: W, bias: b, activation: "relu" }) as tf.Tensor2D;
      else h = tf.tanh(tf.fused.matMul({ a: h, b: W, bias: b })) as tf.Tensor2D;
    }
    return tf.reshape(h, [a.shape[0], this.dTrans, this.transform.paramsPerElement]) as tf.Tensor3D;
  }

  private apply(dir: "forward" | "inverse", v: tf.Tensor2D): { out: tf.Tensor2D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const [p1, p2] = tf.split(v, this.split, 1) as [tf.Tensor2D, tf.Tensor2D];
      const [a, b] = this.parity === 0 ? [p1, p2] : [p2, p1];
      const params = this.conditioner(a);
      let y: tf.Tensor, logDet: tf.Tensor1D;
      if (dir === "forward") ({ y, logDet } = this.transform.forward(b, params));
      else ({ x: y, logDet } = this.transform.inverse(b, params));
      const out = (this.parity === 0 ? tf.concat([a, y as tf.Tensor2D], 1) : tf.concat([y as tf.Tensor2D, a], 1)) as tf.Tensor2D;
      return { out, logDet };
    });
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "TransformCoupling.forward");
    const { out, logDet } = this.apply("forward", z);
    return { x: out, logDet };
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "TransformCoupling.inverse");
    const { out, logDet } = this.apply("inverse", x);
    return { z: out, logDet };
  }

  /** The options that rebuild the layer's shape (the weights are the variables). */
  config(): Record<string, unknown> {
    return { type: "transformCoupling", dim: this.dim, parity: this.parity, hidden: this.hidden.slice(), activation: this.activation, transform: this.transform.config };
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.biases]);
    this.weights.length = 0;
    this.biases.length = 0;
  }
}

/** A coupling layer with an elementwise transform (factory). */
export function transformCoupling(options: TransformCouplingOptions): TransformCoupling {
  return new TransformCoupling(options);
}

export interface SplineFlowOptions extends RandomOptions {
  /** Number of coordinates (≥ 2). */
  dim: number;
  /** Number of spline coupling layers; they alternate which half is transformed (default 4). */
  layers?: number;
  /** Hidden widths of each conditioner (default [64, 64]). */
  hidden?: number[];
  /** Bins K of each spline (default 8). */
  bins?: number;
  /** The splines act on [−bound, bound], identity outside (default 5). */
  bound?: number;
  /** Hidden activation (default "relu"). */
  activation?: Activation;
  /** Smallest bin width, height (fractions of the interval) and knot derivative (defaults 1e-3). */
  minBinWidth?: number;
  minBinHeight?: number;
  minDerivative?: number;
}

/** A neural spline flow: rational-quadratic spline couplings with alternating halves; identity at initialisation. */
export function splineFlow(options: SplineFlowOptions): CompositeFlow {
  const where = "splineFlow";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, ["dim", "layers", "hidden", "bins", "bound", "activation", "minBinWidth", "minBinHeight", "minDerivative", "seed", "rng"], where);
  const dim = checkInteger(options.dim, "dim", where, { min: 2 });
  const n = options.layers === undefined ? 4 : checkInteger(options.layers, "layers", where, { min: 1 });
  const hidden = checkHidden(options.hidden ?? [64, 64], where);
  if (options.activation !== undefined) checkOneOf(options.activation, ["relu", "tanh"] as const, "activation", where);
  const splineOptions: RationalQuadraticSplineOptions = { bins: options.bins, bound: options.bound, minBinWidth: options.minBinWidth, minBinHeight: options.minBinHeight, minDerivative: options.minDerivative };
  let transform: ElementwiseTransform;
  try {
    transform = rationalQuadraticSpline(splineOptions);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message.replace(/^rationalQuadraticSpline: /, "")}`);
  }
  const rng = resolveRng(options, where);
  ensureBackend();
  const layers: Flow[] = [];
  for (let k = 0; k < n; k++) layers.push(new TransformCoupling({ dim, transform, parity: (k % 2) as 0 | 1, hidden, activation: options.activation, rng }));
  return new CompositeFlow(layers);
}
