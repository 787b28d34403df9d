/**
 * RealNVP affine coupling (Dinh, Sohl-Dickstein, Bengio, ICLR 2017): split the
 * coordinates into a conditioning half a and a transformed half b, and map
 * b ↦ b·e^{s(a)} + t(a), with s bounded by a tanh (|s| ≤ scaleBound) so that
 * early training cannot blow up. s and t come from one small dense network
 * (fused matmul + bias + activation per layer). The log-determinant is Σ s.
 *
 * tfjs's automatic gradients of a dense net cost about three times as many
 * kernels as the forward pass (and kernel launches, not flops, dominate here),
 * so each direction of the layer carries a hand-written gradient
 * (`tf.customGrad`); `customGradient: false` uses autodiff instead (the tests
 * check that both agree).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { checkFlowInput, type Flow } from "./types";

export type Activation = "relu" | "tanh";

export interface AffineCouplingOptions extends RandomOptions {
  /** Number of coordinates (≥ 2). */
  dim: number;
  /** 0: transform the second half conditioned on the first; 1: the other way round (default 0). */
  parity?: 0 | 1;
  /** Hidden layer widths of the conditioner (default [64, 64]). */
  hidden?: number[];
  /** Bound on |s|: s = scaleBound · tanh(raw) (default 2). */
  scaleBound?: number;
  /** Hidden activation (default "relu"). */
  activation?: Activation;
  /** Hand-written gradients (default true; false: tfjs autodiff, slower, for checks). */
  customGradient?: boolean;
}

type Dir = "forward" | "inverse";

/** A trainable variable from a fresh tensor, which is then freed. */
export function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** One affine coupling layer; identity at initialisation (the last conditioner layer starts at zero). */
export class AffineCoupling implements Flow {
  readonly dim: number;
  readonly parity: 0 | 1;
  readonly scaleBound: number;
  readonly activation: Activation;
  readonly customGradient: boolean;
  /** Sizes of the first and second halves. */
  private readonly split: [number, number];
  private readonly dTrans: number;
  private readonly weights: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];
  private readonly fused: Record<Dir, (...args: tf.Tensor[]) => tf.Tensor2D>;

  constructor(options: AffineCouplingOptions) {
    const where = "AffineCoupling";
    checkKeys(options, ["dim", "parity", "hidden", "scaleBound", "activation", "customGradient", "seed", "rng"], where);
    ensureBackend();
    this.dim = checkInteger(options?.dim, "dim", where, { min: 2 });
    if (options.parity !== undefined && options.parity !== 0 && options.parity !== 1) {
      throw new Error(`${where}: parity must be 0 or 1, got ${String(options.parity)}`);
    }
    this.parity = options.parity ?? 0;
    const hidden = options.hidden ?? [64, 64];
    if (!Array.isArray(hidden)) throw new Error(`${where}: hidden must be an array of layer widths`);
    hidden.forEach((h, k) => checkInteger(h, `hidden[${k}]`, where, { min: 1 }));
    this.scaleBound = options.scaleBound === undefined ? 2 : checkNumber(options.scaleBound, "scaleBound", where, { above: 0 });
    this.activation = options.activation === undefined ? "relu" : checkOneOf(options.activation, ["relu", "tanh"] as const, "activation", where);
    this.customGradient = options.customGradient ?? true;
    const rng = resolveRng(options, where);
    const d1 = Math.floor(this.dim / 2);
    this.split = [d1, this.dim - d1];
    const dCond = this.parity === 0 ? this.split[0] : this.split[1];
    this.dTrans = this.dim - dCond;
    const sizes = [dCond, ...hidden, 2 * this.dTrans];
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
    this.fused = {
      forward: tf.customGrad(((...args: unknown[]) => this.withGradient("forward", args)) as never) as never,
      inverse: tf.customGrad(((...args: unknown[]) => this.withGradient("inverse", args)) as never) as never,
    };
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  private act(p: tf.Tensor2D, hidden: boolean, W: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
    if (!hidden) return tf.fused.matMul({ a: p, b: W, bias: b }) as tf.Tensor2D;
    if (this.activation === "relu") return tf.fused.matMul({ a: p, b: W, bias: b, activation: "relu" }) as tf.Tensor2D;
    return tf.tanh(tf.fused.matMul({ a: p, b: W, bias: b })) as tf.Tensor2D;
  }

  /**
   * The transformed half and the log-determinant packed as [y | logDet], [batch, dT + 1].
   * Forward: y = b·e^s + t, logDet = Σ s. Inverse: y = (b − t)·e^{−s}, logDet = −Σ s.
   */
  private compute(dir: Dir, a: tf.Tensor2D, b: tf.Tensor2D, Ws: tf.Tensor2D[], bs: tf.Tensor1D[]) {
    const hs: tf.Tensor2D[] = [a];
    let h = a;
    const n = Ws.length;
    for (let l = 0; l < n; l++) {
      h = this.act(h, l + 1 < n, Ws[l], bs[l]);
      if (l + 1 < n) hs.push(h);
    }
    const [raw, t] = tf.split(h, [this.dTrans, this.dTrans], 1) as [tf.Tensor2D, tf.Tensor2D];
    const s = tf.mul(tf.tanh(raw), this.scaleBound) as tf.Tensor2D;
    let y: tf.Tensor, keep: tf.Tensor, e: tf.Tensor, ld: tf.Tensor;
    if (dir === "forward") {
      e = tf.exp(s);
      keep = tf.mul(b, e); // b·e^s = y − t
      y = tf.add(keep, t);
      ld = tf.sum(s, 1, true);
    } else {
      e = tf.exp(tf.neg(s));
      y = tf.mul(tf.sub(b, t), e);
      keep = y;
      ld = tf.neg(tf.sum(s, 1, true));
    }
    return { value: tf.concat([y, ld], 1) as tf.Tensor2D, hs, s, e, keep };
  }

  /** customGrad body: inputs a, b, W_0, b_0, W_1, b_1, ..., then the save function. */
  private withGradient(dir: Dir, args: unknown[]) {
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    const [a, b, ...params] = args.slice(0, -1) as tf.Tensor[];
    const n = params.length / 2;
    const Ws = params.filter((_, k) => k % 2 === 0) as tf.Tensor2D[];
    const bs = params.filter((_, k) => k % 2 === 1) as tf.Tensor1D[];
    const r = this.compute(dir, a as tf.Tensor2D, b as tf.Tensor2D, Ws, bs);
    save([...r.hs, r.s, r.e, r.keep, ...Ws]);
    const S = this.scaleBound;
    const dT = this.dTrans;
    const gradFunc = (dY: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const hs = saved.slice(0, n) as tf.Tensor2D[];
      const [s, e, keep] = saved.slice(n, n + 3) as tf.Tensor2D[];
      const W = saved.slice(n + 3) as tf.Tensor2D[];
      const [dy, dl] = tf.split(dY, [dT, 1], 1) as [tf.Tensor2D, tf.Tensor2D];
      let db: tf.Tensor, ds: tf.Tensor, dt: tf.Tensor;
      if (dir === "forward") {
        db = tf.mul(dy, e);
        ds = tf.add(tf.mul(dy, keep), dl); // ∂y/∂s = b·e^s, ∂logDet/∂s = 1
        dt = dy;
      } else {
        db = tf.mul(dy, e);
        ds = tf.neg(tf.add(tf.mul(dy, keep), dl)); // ∂y/∂s = −y, ∂logDet/∂s = −1
        dt = tf.neg(db);
      }
      // s = S tanh(raw): ds/draw = S − s²/S
      const draw = tf.mul(ds, tf.add(tf.mul(tf.square(s), -1 / S), S));
      let d = tf.concat([draw, dt], 1) as tf.Tensor2D;
      const gW: tf.Tensor[] = new Array(n), gb: tf.Tensor[] = new Array(n);
      let da: tf.Tensor | null = null;
      for (let l = n - 1; l >= 0; l--) {
        gW[l] = tf.matMul(hs[l], d, true, false);
        gb[l] = tf.sum(d, 0);
        const dh = tf.matMul(d, W[l], false, true) as tf.Tensor2D;
        if (l === 0) da = dh;
        else {
          const h = hs[l];
          const deriv = this.activation === "relu" ? tf.sign(h) : tf.sub(1, tf.square(h));
          d = tf.mul(dh, deriv) as tf.Tensor2D;
        }
      }
      const grads: tf.Tensor[] = [da as tf.Tensor, db];
      for (let l = 0; l < n; l++) grads.push(gW[l], gb[l]);
      return grads;
    };
    return { value: r.value, gradFunc };
  }

  private parts(v: tf.Tensor2D): { a: tf.Tensor2D; b: tf.Tensor2D } {
    const [p1, p2] = tf.split(v, this.split, 1) as [tf.Tensor2D, tf.Tensor2D];
    return this.parity === 0 ? { a: p1, b: p2 } : { a: p2, b: p1 };
  }

  private join(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return (this.parity === 0 ? tf.concat([a, b], 1) : tf.concat([b, a], 1)) as tf.Tensor2D;
  }

  private apply(dir: Dir, v: tf.Tensor2D): { out: tf.Tensor2D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const { a, b } = this.parts(v);
      let packed: tf.Tensor2D;
      if (this.customGradient) {
        const params: tf.Tensor[] = [];
        for (let l = 0; l < this.weights.length; l++) params.push(this.weights[l], this.biases[l]);
        packed = this.fused[dir](a, b, ...params);
      } else {
        packed = this.compute(dir, a, b, this.weights as tf.Tensor2D[], this.biases as tf.Tensor1D[]).value;
      }
      const [y, ld] = tf.split(packed, [this.dTrans, 1], 1) as [tf.Tensor2D, tf.Tensor2D];
      return { out: this.join(a, y), logDet: tf.reshape(ld, [v.shape[0]]) as tf.Tensor1D };
    });
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "AffineCoupling.forward");
    const { out, logDet } = this.apply("forward", z);
    return { x: out, logDet };
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "AffineCoupling.inverse");
    const { out, logDet } = this.apply("inverse", x);
    return { z: out, logDet };
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.biases]);
    this.weights.length = 0;
    this.biases.length = 0;
  }
}

/** An affine coupling layer (factory). */
export function affineCoupling(options: AffineCouplingOptions): AffineCoupling {
  return new AffineCoupling(options);
}
