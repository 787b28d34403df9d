/**
 * MADE's REINFORCE gradient in one pass over typed arrays, for small
 * networks, where tfjs's per-kernel overhead is most of a training step.
 *
 * The VAN trainer's gradient is that of the surrogate
 *
 *   loss = (1/B) Σ_b (L_b − L̄) ln q(x_b),   L_b = signal(ln q)_b (no gradient),
 *
 * i.e. `tf.variableGrads(() => reinforceLoss(model.logProb(x), L))`. Here it
 * is computed in closed form, per configuration, in float64:
 *
 * - forward: each masked layer y = PReLU_α(h)·(W∘M) + b (h ← h + y when
 *   residual), the logits clamped to ±z_max (and zeroed at site 0 when the
 *   first conditional is fixed), ln q₀(s) = Σ_i ln σ(s_i z_i); with Z2 the
 *   pass runs over s and −s and ln q = ln ½[q₀(s) + q₀(−s)];
 * - backward: ∂loss/∂ln q_b = (L_b − L̄)/B; with Z2 it splits into
 *   w₊ = σ(ln q₀(s) − ln q₀(−s)) and w₋ = 1 − w₊ for the two passes;
 *   ∂ ln q₀/∂z_i = s_i σ(−s_i z_i), zero where the clamp is active (tf's
 *   clipByValue gradient, which passes it at the bounds themselves);
 *   through each layer ∂W = PReLU(h)ᵀ dy on the unmasked entries, ∂b = Σ dy,
 *   dPReLU(h) = dy (W∘M)ᵀ, ∂h = dPReLU · (1 if h > 0 else α) (+ dy's skip
 *   when residual), ∂α = Σ dPReLU · h over h ≤ 0 (tfjs's PReLU gradient).
 *
 * Only the unmasked prefix of every unit's fan-in is visited (the site-major
 * layout of madeLayers.ts), so a configuration costs the useful multiply-adds
 * of one forward pass and two of backward.
 */
import * as tf from "@tensorflow/tfjs";
import { checkInteger } from "../core/validate";
import type { MadeNet } from "./madeLayers";
import { symmetrize, type ReinforceGradients } from "./spin";

/** The per-layer arrays of the pass: weights transposed ([out × in]), biases, slopes, fan-in limits. */
interface Layer {
  inSize: number;
  outSize: number;
  /** Masked weights transposed, [out × in] row-major. */
  wt: Float64Array;
  b: Float64Array | null;
  alpha: Float64Array | null;
  residual: boolean;
  /** Unit k sees input units u < lim[k] (the unmasked prefix). */
  lim: Int32Array;
  /** Gradient accumulators, same layouts. */
  gw: Float64Array;
  gb: Float64Array | null;
  ga: Float64Array | null;
}

/**
 * The REINFORCE surrogate's value and gradients for `batch` ±1 configurations
 * `x` ([batch × N] row-major), with L = signal(ln q) read between the forward
 * and backward passes; see the module doc. The caller has checked that the
 * model is alive.
 */
export function madeReinforceGradients(
  net: MadeNet,
  variables: readonly tf.Variable[],
  x: ArrayLike<number>,
  batch: number,
  signal: (logProb: Float64Array) => ArrayLike<number>,
): ReinforceGradients {
  const W = "made.reinforceGradients";
  checkInteger(batch, "batch", W, { min: 1 });
  const n = net.size;
  if (x === null || typeof x !== "object" || typeof (x as ArrayLike<number>).length !== "number" || x.length !== batch * n) {
    throw new Error(`${W}: x must have batch·size = ${batch * n} entries, got ${x === null || typeof x !== "object" ? String(x) : x.length}`);
  }
  for (let k = 0; k < x.length; k++) {
    if (x[k] !== 1 && x[k] !== -1) throw new Error(`${W}: x must hold ±1 spins, got ${x[k]} at [${Math.floor(k / n)}, ${k % n}]`);
  }
  if (typeof signal !== "function") throw new Error(`${W}: signal must be a function of ln q returning L per sample`);

  const layers = pullLayers(net);
  const D = layers.length;
  const rows = batch * (net.z2 ? 2 : 1);
  // Unit-major arrays with the rows innermost ([units × rows]): every loop below runs over all rows
  // (row r < batch is x_r, r ≥ batch is −x_{r−batch}), so each weight read serves `rows` multiply-adds.
  // hs[l] is layer l's input stream, acts[l] its PReLU (hs[0]: the spins), hs[D] the raw logits.
  const hs: Float64Array[] = [];
  // Work arrays are kept between calls of the same shape (large typed arrays allocated at every
  // training step made the garbage collector a good part of the time); each is overwritten or zeroed.
  const buf = scratchFor(net, rows);
  for (let l = 0; l <= D; l++) hs.push(buf.get(`h${l}`, rows * (l < D ? layers[l].inSize : n)));
  const acts: Float64Array[] = layers.map((L, l) => (l === 0 ? hs[0] : buf.get(`a${l}`, rows * L.inSize)));
  const s0 = hs[0];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const v = x[b * n + i];
      s0[i * rows + b] = v;
      if (rows > batch) s0[i * rows + batch + b] = -v;
    }
  }
  for (let l = 0; l < D; l++) {
    const L = layers[l];
    const ins = L.inSize, outs = L.outSize;
    const h = hs[l], a = acts[l], y = hs[l + 1];
    if (L.alpha !== null) {
      const al = L.alpha;
      for (let u = 0; u < ins; u++) {
        const av = al[u];
        for (let t = u * rows, e = t + rows; t < e; t++) {
          const v = h[t];
          a[t] = v > 0 ? v : av * v;
        }
      }
    }
    const wt = L.wt, lim = L.lim, bias = L.b;
    // The first layer is linear in the spins: with Z2 its output on −x is 2b − (its output on x),
    // so only the first `batch` rows are multiplied.
    const mulRows = l === 0 ? batch : rows;
    for (let k = 0; k < outs; k++) {
      const o = k * rows;
      if (L.residual) for (let r = 0; r < rows; r++) y[o + r] = h[o + r];
      else y.fill(0, o, o + rows);
      if (bias !== null) {
        const bv = bias[k];
        for (let r = 0; r < rows; r++) y[o + r] += bv;
      }
      const wo = k * ins;
      for (let u = 0, e = lim[k]; u < e; u++) {
        const wv = wt[wo + u];
        if (wv === 0) continue;
        const ai = u * rows;
        for (let r = 0; r < mulRows; r++) y[o + r] += wv * a[ai + r];
      }
      if (mulRows < rows) {
        const b2 = bias !== null ? 2 * bias[k] : 0;
        for (let r = 0; r < batch; r++) y[o + batch + r] = b2 - y[o + r];
      }
    }
  }
  // clamped logits, ln q₀ per row, and ∂ln q₀/∂z (per unit of ∂loss/∂ln q₀, filled in below)
  const zRaw = hs[D];
  const zmax = net.zmax;
  const lq0 = buf.get("lq0", rows).fill(0);
  const dz = buf.get("dz", rows * n);
  logitTerms(hs[D], s0, n, rows, net.zmax, net.biasFreeFirst, lq0, dz, buf.get("prod", rows));
  const logProb = new Float64Array(batch);
  for (let b = 0; b < batch; b++) logProb[b] = net.z2 ? symmetrize(lq0[b], lq0[b + batch]) : lq0[b];

  const L = signal(logProb);
  if (L === null || typeof L !== "object" || L.length !== batch) {
    throw new Error(`${W}: signal must return ${batch} values (L per sample), got ${L === null || typeof L !== "object" ? String(L) : L.length}`);
  }
  let mean = 0;
  for (let b = 0; b < batch; b++) mean += L[b];
  mean /= batch;
  let loss = 0;
  // ∂loss/∂ln q₀ per row
  const dlq0 = buf.get("dlq0", rows);
  for (let b = 0; b < batch; b++) {
    const adv = (L[b] - mean) / batch;
    loss += adv * logProb[b];
    if (net.z2) {
      const wPlus = 1 / (1 + Math.exp(lq0[b + batch] - lq0[b]));
      dlq0[b] = adv * wPlus;
      dlq0[b + batch] = adv * (1 - wPlus);
    } else dlq0[b] = adv;
  }
  for (let i = 0; i < n; i++) for (let r = 0, o = i * rows; r < rows; r++) dz[o + r] *= dlq0[r];

  // Backward, layer by layer over all rows: dh holds ∂loss/∂(layer l's output stream).
  let dh = dz;
  for (let l = D - 1; l >= 0; l--) {
    const Ly = layers[l];
    const ins = Ly.inSize, outs = Ly.outSize;
    const a = acts[l];
    const wt = Ly.wt, gw = Ly.gw, lim = Ly.lim;
    if (Ly.gb !== null) {
      for (let k = 0; k < outs; k++) {
        let sum = 0;
        for (let r = 0, o = k * rows; r < rows; r++) sum += dh[o + r];
        Ly.gb[k] = sum;
      }
    }
    const dAct = l > 0 ? buf.get(`d${l}`, rows * ins).fill(0) : null;
    if (l === 0 && rows > batch) {
      // the first layer's input on row batch + b is −x_b: fold the −x rows' output gradients into the x rows'
      for (let k = 0; k < outs; k++) for (let r = 0, o = k * rows; r < batch; r++) dh[o + r] -= dh[o + batch + r];
    }
    const gRows = l === 0 ? batch : rows;
    for (let k = 0; k < outs; k++) {
      const o = k * rows;
      const wo = k * ins;
      for (let u = 0, e = lim[k]; u < e; u++) {
        const ai = u * rows;
        let sum = 0;
        for (let r = 0; r < gRows; r++) sum += dh[o + r] * a[ai + r];
        gw[wo + u] = sum;
        if (dAct !== null) {
          const wv = wt[wo + u];
          if (wv !== 0) for (let r = 0; r < rows; r++) dAct[ai + r] += wv * dh[o + r];
        }
      }
    }
    if (dAct === null) break;
    // through the PReLU (and the skip of a residual layer) to the layer's input stream
    const h = hs[l], al = Ly.alpha!, ga = Ly.ga!;
    const dPrev = dAct; // overwritten in place: ∂loss/∂h_l
    for (let u = 0; u < ins; u++) {
      const av = al[u];
      let gsum = 0;
      for (let t = u * rows, e = t + rows; t < e; t++) {
        const v = h[t];
        const d = dAct[t];
        if (v > 0) dPrev[t] = d;
        else {
          gsum += d * v;
          dPrev[t] = d * av;
        }
      }
      ga[u] = gsum;
    }
    if (Ly.residual) for (let t = 0; t < rows * ins; t++) dPrev[t] += dh[t];
    dh = dPrev;
  }

  // gradients as tensors, in the variables' order
  const byVar = new Map<tf.Variable, tf.Tensor>();
  try {
    net.layers.forEach((ml, l) => {
      const Ly = layers[l];
      const ins = Ly.inSize, outs = Ly.outSize;
      const gw = new Float32Array(ins * outs);
      for (let k = 0; k < outs; k++) for (let u = 0; u < Ly.lim[k]; u++) gw[u * outs + k] = Ly.gw[k * ins + u];
      byVar.set(ml.w, tf.tensor2d(gw, [ins, outs]));
      if (ml.b !== null) byVar.set(ml.b, tf.tensor1d(Float32Array.from(Ly.gb!)));
      if (ml.alpha !== null) byVar.set(ml.alpha, tf.tensor1d(Float32Array.from(Ly.ga!)));
    });
    const grads = variables.map((v) => {
      const t = byVar.get(v);
      if (t === undefined) throw new Error(`${W}: variable ${v.name} is not one of the network's`);
      return t;
    });
      return { logProb, loss, grads };
  } catch (e) {
    tf.dispose([...byVar.values()]);
    throw e;
  }
}

/**
 * From the raw logits zRaw and the spins s0 ([n × rows], rows innermost): ln q₀ per row into lq0
 * and ∂ln q₀/∂z_raw into dz. With y = s z (z clamped to ±zmax) and t = e^{−|y|}:
 * ln σ(y) = min(y, 0) − ln(1 + t), summed as ln Π(1 + t) (one logarithm per row and 512 sites);
 * ∂ ln σ(s z)/∂z = s σ(−y) = s·t/(1 + t) (y ≥ 0) or s/(1 + t) (y < 0), zero where the clamp is
 * active (tf's clipByValue passes the gradient at the bounds themselves) and at a fixed first site.
 */
function logitTerms(
  zRaw: Float64Array, s0: Float64Array, n: number, rows: number, zmax: number, biasFreeFirst: boolean, lq0: Float64Array, dz: Float64Array, prod: Float64Array,
): void {
  prod.fill(1);
  // e^{−|y|} for |y| ≤ zmax as 2^{−j}·e^{u}, j = ⌈|y| log₂e⌉, u ∈ [0, ln 2) (Taylor to degree 11: relative error < 3e-11, far
  // below float32's): ≈ 5 ns against Math.exp's 7 here, and there are 2·batch·N of them
  const pow2 = new Float64Array(Math.ceil(zmax * Math.LOG2E) + 2);
  for (let j = 0; j < pow2.length; j++) pow2[j] = 2 ** -j;
  for (let i = 0; i < n; i++) {
    const o = i * rows;
    const fixed = i === 0 && biasFreeFirst;
    for (let r = 0; r < rows; r++) {
      const raw = fixed ? 0 : zRaw[o + r];
      const zi = raw > zmax ? zmax : raw < -zmax ? -zmax : raw;
      const si = s0[o + r];
      const yv = si * zi;
      const v = Math.abs(yv) * Math.LOG2E;
      const j = Math.ceil(v);
      const u = (j - v) * Math.LN2; // e^{−|y|} = 2^{−j} e^{u}, u ∈ [0, ln 2)
      const t = pow2[j] * (1 + u * (1 + u * (1 / 2 + u * (1 / 6 + u * (1 / 24 + u * (1 / 120 + u * (1 / 720 + u * (1 / 5040 + u * (1 / 40320 + u * (1 / 362880 + u * (1 / 3628800 + u / 39916800)))))))))));
      const onePlus = 1 + t;
      lq0[r] += Math.min(yv, 0);
      prod[r] *= onePlus;
      // s σ(−y) = s·t/(1 + t) for y > 0, s/(1 + t) for y < 0: with g = sign(y), s·((1 + g)t + 1 − g)/(2(1 + t)) (no branch on y's sign)
      const g = Math.sign(yv);
      const d = (si * ((1 + g) * t + 1 - g)) / (2 * onePlus);
      dz[o + r] = raw > zmax || raw < -zmax || fixed ? 0 : d;
    }
    if ((i & 511) === 511 || i === n - 1) {
      for (let r = 0; r < rows; r++) {
        lq0[r] -= Math.log(prod[r]);
        prod[r] = 1;
      }
    }
  }
}

/** Named work arrays of one network, reallocated only when a size changes. */
class Scratch {
  private readonly arrays = new Map<string, Float64Array>();
  constructor(readonly rows: number) {}
  /** The array `name` with `length` entries (contents left from the last call). */
  get(name: string, length: number): Float64Array {
    let a = this.arrays.get(name);
    if (a === undefined || a.length !== length) {
      a = new Float64Array(length);
      this.arrays.set(name, a);
    }
    return a;
  }
}

const scratches = new WeakMap<MadeNet, Scratch>();

/** The work arrays of `net` for `rows` rows (a new set when the row count changes). */
function scratchFor(net: MadeNet, rows: number): Scratch {
  let s = scratches.get(net);
  if (s === undefined || s.rows !== rows) {
    s = new Scratch(rows);
    scratches.set(net, s);
  }
  return s;
}

/** The network's weights on the JS side in float64 with fan-in limits and zeroed accumulators. */
function pullLayers(net: MadeNet): Layer[] {
  const n = net.size;
  return net.layers.map((ml, l) => {
    const ins = ml.inSize, outs = ml.outSize;
    const masked = tf.mul(ml.w, ml.mask);
    const w = masked.dataSync() as Float32Array;
    masked.dispose();
    const wt = new Float64Array(ins * outs);
    for (let u = 0; u < ins; u++) for (let k = 0; k < outs; k++) wt[k * ins + u] = w[u * outs + k];
    const inPer = ins / n, outPer = outs / n;
    const lim = new Int32Array(outs);
    for (let k = 0; k < outs; k++) {
      const site = Math.floor(k / outPer);
      lim[k] = (l === 0 ? site : site + 1) * inPer;
    }
    return {
      inSize: ins,
      outSize: outs,
      wt,
      b: ml.b !== null ? Float64Array.from(ml.b.dataSync() as Float32Array) : null,
      alpha: ml.alpha !== null ? Float64Array.from(ml.alpha.dataSync() as Float32Array) : null,
      residual: ml.residual,
      lim,
      gw: new Float64Array(ins * outs),
      gb: ml.b !== null ? new Float64Array(outs) : null,
      ga: ml.alpha !== null ? new Float64Array(ins) : null,
    };
  });
}
