/**
 * The Müller–Brown potential (Müller & Brown, Theor. Chim. Acta 53, 75, 1979):
 * E(x, y) = s · Σ_{k=1..4} A_k exp(a_k (x−x0_k)² + b_k (x−x0_k)(y−y0_k) + c_k (y−y0_k)²),
 * three minima (at about (−0.56, 1.44), (0.62, 0.03), (−0.05, 0.47)), a
 * classic test of rare-event sampling. `scale` s multiplies the energy (the
 * raw minima are near −147, so β ≈ 0.1 or s ≈ 0.1 gives barriers of a few kT).
 */
import * as tf from "@tensorflow/tfjs";
import { checkKeys, checkNumber } from "../../core/validate";
import type { EnergyFactor, FactorizedSystem } from "./types";

const A = [-200, -100, -170, 15];
const a = [-1, -1, -6.5, 0.7];
const b = [0, 0, 11, 0.6];
const c = [-10, -10, -6.5, 0.7];
const X0 = [1, 0, -0.5, -1];
const Y0 = [0, 0.5, 1.5, 1];

export interface MullerBrownOptions {
  /** Multiplies the energy (default 1). */
  scale?: number;
}

export class MullerBrownSystem implements FactorizedSystem {
  readonly kind = "continuous" as const;
  readonly dim = 2;
  readonly name: string;
  readonly scale: number;
  readonly factors: readonly EnergyFactor[];
  /** The three minima (approximate), useful as MCMC starting points. */
  readonly minima: readonly (readonly [number, number])[] = [
    [-0.558, 1.442],
    [0.623, 0.028],
    [-0.050, 0.467],
  ];

  constructor(options: MullerBrownOptions = {}) {
    checkKeys(options, ["scale"], "mullerBrown");
    this.scale = options.scale === undefined ? 1 : checkNumber(options.scale, "scale", "mullerBrown", { above: 0 });
    this.name = `muller-brown scale=${this.scale}`;
    this.factors = [{ dims: [0, 1], energyOf: (x) => this.energyOf(x), range: [[-2.0, 1.4], [-0.8, 2.4]] }];
  }

  energy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      if (x.rank !== 2 || x.shape[1] !== 2) throw new Error(`${this.name}.energy: x must have shape [batch, 2], got [${x.shape.join(", ")}]`);
      const [xs, ys] = tf.split(x, 2, 1);
      const dx = tf.sub(xs, tf.tensor2d(X0, [1, 4]));
      const dy = tf.sub(ys, tf.tensor2d(Y0, [1, 4]));
      const q = tf.addN([
        tf.mul(tf.square(dx), tf.tensor2d(a, [1, 4])),
        tf.mul(tf.mul(dx, dy), tf.tensor2d(b, [1, 4])),
        tf.mul(tf.square(dy), tf.tensor2d(c, [1, 4])),
      ]);
      const e = tf.matMul(tf.exp(q), tf.tensor2d(A.map((v) => v * this.scale), [4, 1]));
      return tf.reshape(e, [x.shape[0]]) as tf.Tensor1D;
    });
  }

  energyOf(x: ArrayLike<number>): number {
    let e = 0;
    for (let k = 0; k < 4; k++) {
      const dx = x[0] - X0[k], dy = x[1] - Y0[k];
      e += A[k] * Math.exp(a[k] * dx * dx + b[k] * dx * dy + c[k] * dy * dy);
    }
    return this.scale * e;
  }

  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const g = out ?? new Float64Array(2);
    let gx = 0, gy = 0;
    for (let k = 0; k < 4; k++) {
      const dx = x[0] - X0[k], dy = x[1] - Y0[k];
      const t = A[k] * Math.exp(a[k] * dx * dx + b[k] * dx * dy + c[k] * dy * dy);
      gx += t * (2 * a[k] * dx + b[k] * dy);
      gy += t * (b[k] * dx + 2 * c[k] * dy);
    }
    g[0] = this.scale * gx;
    g[1] = this.scale * gy;
    return g;
  }
}

/** The Müller–Brown potential. */
export function mullerBrown(options: MullerBrownOptions = {}): MullerBrownSystem {
  return new MullerBrownSystem(options);
}
