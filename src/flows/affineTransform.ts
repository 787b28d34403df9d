/**
 * The affine (RealNVP) elementwise transform as an `ElementwiseTransform`:
 * y = x·e^{s} + t with s = scaleBound·tanh(raw), params [..., 2] = (raw, t).
 * ln|∂y/∂x| = s per element. Zero parameters are the identity, so a coupling
 * whose last conditioner layer starts at zero starts as the identity map.
 */
import * as tf from "@tensorflow/tfjs";
import { checkKeys, checkNumber } from "../core/validate";
import type { ElementwiseTransform } from "./transforms";

export interface AffineTransformOptions {
  /** Bound on |s|: s = scaleBound·tanh(raw) (default 2). */
  scaleBound?: number;
}

function sumButBatch(t: tf.Tensor): tf.Tensor1D {
  const axes = [];
  for (let a = 1; a < t.rank; a++) axes.push(a);
  return (axes.length === 0 ? t : tf.sum(t, axes)) as tf.Tensor1D;
}

function checkShapes(x: tf.Tensor, params: tf.Tensor, where: string): void {
  if (!(x instanceof tf.Tensor) || !(params instanceof tf.Tensor)) throw new Error(`${where}: x and params must be tensors`);
  const want = [...x.shape, 2];
  if (params.rank !== want.length || params.shape.some((d, k) => d !== want[k])) {
    throw new Error(`${where}: params must have shape [${want.join(", ")}], got [${params.shape.join(", ")}]`);
  }
}

/** y = x·e^s + t elementwise, s bounded by a tanh. */
export class AffineTransform implements ElementwiseTransform {
  readonly name = "affine";
  readonly paramsPerElement = 2;
  readonly scaleBound: number;

  constructor(options: AffineTransformOptions = {}) {
    const where = "affineTransform";
    checkKeys(options, ["scaleBound"], where);
    this.scaleBound = options.scaleBound === undefined ? 2 : checkNumber(options.scaleBound, "scaleBound", where, { above: 0 });
  }

  get config(): Record<string, unknown> {
    return { name: this.name, scaleBound: this.scaleBound };
  }

  private split(params: tf.Tensor): { s: tf.Tensor; t: tf.Tensor } {
    const [raw, t] = tf.split(params, 2, params.rank - 1);
    const shape = raw.shape.slice(0, -1);
    return { s: tf.mul(tf.tanh(tf.reshape(raw, shape)), this.scaleBound), t: tf.reshape(t, shape) };
  }

  forward(x: tf.Tensor, params: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    checkShapes(x, params, "AffineTransform.forward");
    return tf.tidy(() => {
      const { s, t } = this.split(params);
      return { y: tf.add(tf.mul(x, tf.exp(s)), t), logDet: sumButBatch(s) };
    });
  }

  inverse(y: tf.Tensor, params: tf.Tensor): { x: tf.Tensor; logDet: tf.Tensor1D } {
    checkShapes(y, params, "AffineTransform.inverse");
    return tf.tidy(() => {
      const { s, t } = this.split(params);
      return { x: tf.mul(tf.sub(y, t), tf.exp(tf.neg(s))), logDet: tf.neg(sumButBatch(s)) as tf.Tensor1D };
    });
  }
}

/** The affine elementwise transform (factory). */
export function affineTransform(options: AffineTransformOptions = {}): AffineTransform {
  return new AffineTransform(options);
}
