/**
 * PixelCNN's fast sampler: one forward pass of arithmetic per sample instead
 * of one per site.
 *
 * With raster-order masks every layer's activation at site i depends only on
 * spins at sites < i, so once spin i − 1 is drawn the activations of site i
 * are final in every layer. The sampler caches every layer's inputs, row by
 * row. When row r starts, the k rows above it are final in every layer, so
 * each layer's contribution from them (the k×(2k+1) part of its kernel) is
 * one convolution over the cached rows, for the whole row at once (periodic
 * grids add, on their last k rows, the wrapped rows below in the same way).
 * Then, site by site along the row, each layer adds its centre-row part: one
 * concat of the ≤ k+1 cached inputs to the left (and, periodic, the wrapped
 * ones at the start of the row), one [taps·in, out] matMul and one add. That
 * is about 4·depth small ops per site plus a few per row. The logits are read
 * back once at the end; the caller sums ln q in float64 on the JS side.
 * How a site's logits become its input to the first stage (a ±1 spin, or a
 * one-hot state of a q-state model) is the `SiteDrawer`'s business.
 */
import * as tf from "@tensorflow/tfjs";
import { padCols, type PixelCnnNet } from "./pixelcnnConv";

/**
 * Turns a site's logits into its first-stage input while sampling. `startRow(r)`
 * is called when row r starts and returns the draw of each column c: from the
 * raw (unclamped) logits z [count, outC] to the input [count, inC] (a tensor
 * the sampler keeps; it is called inside a tidy scope). `endRow` frees what
 * `startRow` made.
 */
export interface SiteDrawer {
  startRow(r: number): (c: number, z: tf.Tensor2D) => tf.Tensor2D;
  endRow(): void;
}

/**
 * Site-by-site sampling of `count` configurations from uniforms u
 * (site-major, u[i·count + s]), as described above; with `firstPlus` (the
 * first-spin Z2 gauge) site 0 is +1 whatever its logit. Returns the spins and
 * the clamped logits, sample-major.
 */
export function samplePixelCnnChunk(net: PixelCnnNet, u: Float32Array, count: number, firstPlus = false): { spins: Float32Array; logits: Float32Array } {
  const C = net.cols;
  const zmax = net.zmax;
  /** The clamp bound as the float32 tensors hold it. */
  const zmax32 = Math.fround(zmax);
  const plusOne = tf.ones([count, 1]);
  const minusOne = tf.fill([count, 1], -1);
  let uCols: tf.Tensor2D[] = [];
  const drawer: SiteDrawer = {
    startRow(r) {
      // u < σ(z) ⇔ logit(u) < z: the draw of site c is one comparison with its threshold column.
      // The logit is clamped to ±zmax; comparing with the raw logit instead gives the same draw once
      // thresholds ≥ zmax become +∞ and those < −zmax become −∞, so the clamp runs once per row.
      const thresholds = new Float32Array(C * count);
      for (let k2 = 0; k2 < C * count; k2++) {
        const v = u[r * C * count + k2];
        const t = Math.fround(Math.log(v) - Math.log1p(-v));
        thresholds[k2] = t >= zmax32 ? Infinity : t < -zmax32 ? -Infinity : t;
      }
      // first-spin Z2: site 0 is +1 whatever its logit
      if (firstPlus && r === 0) thresholds.fill(-Infinity, 0, count);
      uCols = tf.tidy(() => tf.split(tf.transpose(tf.tensor2d(thresholds, [C, count])), C, 1) as tf.Tensor2D[]);
      return (c, z) => tf.where(tf.less(uCols[c], z), plusOne, minusOne) as tf.Tensor2D;
    },
    endRow() {
      tf.dispose(uCols);
      uCols = [];
    },
  };
  try {
    const { inputs, logits } = samplePixelCnnRows(net, count, drawer);
    return { spins: inputs, logits };
  } finally {
    tf.dispose([plusOne, minusOne, ...uCols]);
  }
}

/**
 * The row-cached sampling loop of `count` configurations, each site's input
 * drawn by `drawer`. Returns the first-stage inputs [count, N·inC] and the
 * clamped logits [count, N·outC], sample-major (site-major within a sample).
 */
export function samplePixelCnnRows(net: PixelCnnNet, count: number, drawer: SiteDrawer): { inputs: Float32Array; logits: Float32Array } {
  const R = net.rows;
  const C = net.cols;
  const k = net.halfKernel;
  const span = 2 * k + 1;
  const above = k * span;
  const depth = net.stages.length;
  const stages = net.stages;
  const zmax = net.zmax;
  const owned: tf.Tensor[] = [];
  // per stage: the above-rows kernel [k, 2k+1, in, out] (and, periodic, the wrapped rows-below kernel);
  // centre-row weights of column c, flattened [taps·in, out] (null when there are none): the last
  // min(k, c) (+1) centre taps, then (periodic, c ≥ C − k) the right taps that wrap to columns 0..c+k−C
  const wAbove: tf.Tensor4D[] = [];
  const wBelow: tf.Tensor4D[] = [];
  const wCentre: (tf.Tensor2D | null)[][] = [];
  for (const st of stages) {
    const wa = tf.tidy(() => tf.reshape(tf.slice(st.w, [0, 0, 0], [above, st.inC, st.outC]), [k, span, st.inC, st.outC]) as tf.Tensor4D);
    owned.push(wa);
    wAbove.push(wa);
    const centre = k + (st.exclusive ? 0 : 1);
    if (net.periodic) {
      const wb = tf.tidy(() => tf.reshape(tf.slice(st.w, [above + centre + k, 0, 0], [above, st.inC, st.outC]), [k, span, st.inC, st.outC]) as tf.Tensor4D);
      owned.push(wb);
      wBelow.push(wb);
    }
    const list: (tf.Tensor2D | null)[] = [];
    for (let c = 0; c < C; c++) {
      const m = Math.min(k, c);
      const t = st.exclusive ? m : m + 1;
      const nr = net.periodic && c >= C - k ? c + k - C + 1 : 0;
      if (t + nr === 0) {
        list.push(null);
        continue;
      }
      const w = tf.tidy(() => {
        const pieces: tf.Tensor[] = [];
        if (t > 0) pieces.push(tf.slice(st.w, [above + centre - t, 0, 0], [t, st.inC, st.outC]));
        if (nr > 0) pieces.push(tf.slice(st.w, [above + centre + (C - c - 1), 0, 0], [nr, st.inC, st.outC]));
        const all = pieces.length === 1 ? pieces[0] : tf.concat(pieces, 0);
        return tf.reshape(all, [(t + nr) * st.inC, st.outC]) as tf.Tensor2D;
      });
      owned.push(w);
      list.push(w);
    }
    wCentre.push(list);
  }
  // rows[s][r]: stage s's input on row r ([count, C, in]; stage 0's input is the spins)
  const rows: tf.Tensor3D[][] = stages.map(() => []);
  const logitRows: tf.Tensor2D[] = [];
  const outLast = stages[depth - 1].outC;
  try {
    for (let r = 0; r < R; r++) {
      // each stage's contribution from the rows above, plus its bias: C tensors [count, out]
      const aboveParts: tf.Tensor2D[][] = stages.map((st, s) =>
        tf.tidy(() => {
          const m = Math.min(k, r);
          let a: tf.Tensor;
          if (m === 0) a = tf.zeros([count, C, st.outC]);
          else {
            const stacked = tf.stack(rows[s].slice(r - m, r), 1) as tf.Tensor4D; // [count, m, C, in]
            const kernel = m === k ? wAbove[s] : (tf.slice(wAbove[s], [k - m, 0, 0, 0], [m, span, st.inC, st.outC]) as tf.Tensor4D);
            a = tf.reshape(tf.conv2d(padCols(stacked, k, net.periodic), kernel, 1, "valid"), [count, C, st.outC]);
          }
          const nb = net.periodic ? r + k - R + 1 : 0; // periodic: the first nb rows are this row's wrapped rows below
          if (nb > 0) {
            const stacked = tf.stack(rows[s].slice(0, nb), 1) as tf.Tensor4D; // [count, nb, C, in]
            const kernel = nb === k ? wBelow[s] : (tf.slice(wBelow[s], [k - nb, 0, 0, 0], [nb, span, st.inC, st.outC]) as tf.Tensor4D);
            a = tf.add(a, tf.reshape(tf.conv2d(padCols(stacked, k, net.periodic), kernel, 1, "valid"), [count, C, st.outC]));
          }
          if (st.b !== null) a = tf.add(a, st.b);
          return tf.unstack(a, 1) as tf.Tensor2D[];
        }),
      );
      const draw = drawer.startRow(r);
      // site inputs along this row, per stage
      const site: tf.Tensor2D[][] = stages.map(() => []);
      const zRow: tf.Tensor2D[] = [];
      try {
        for (let c = 0; c < C; c++) {
          const fixHalf = r === 0 && c === 0 && net.biasFreeFirst;
          const m = Math.min(k, c);
          const kept = tf.tidy(() => {
            const inputs: tf.Tensor2D[] = [];
            let h = null as unknown as tf.Tensor2D;
            for (let s = 0; s < depth; s++) {
              const st = stages[s];
              if (s > 0) {
                let inp = h;
                if (st.w1 !== null) {
                  inp = tf.matMul(inp, st.w1);
                  if (st.b1 !== null) inp = tf.add(inp, st.b1);
                }
                inp = tf.prelu(inp, st.alpha as tf.Tensor) as tf.Tensor2D;
                inputs.push(inp);
              }
              const parts = site[s].slice(c - m, c);
              if (!st.exclusive) parts.push(inputs[s - 1]);
              if (net.periodic && c >= C - k) parts.push(...site[s].slice(0, c + k - C + 1));
              let out = aboveParts[s][c];
              const w = wCentre[s][c];
              if (w !== null) out = tf.add(tf.matMul(parts.length === 1 ? parts[0] : tf.concat(parts, 1), w), out);
              h = st.residual ? (tf.add(h, out) as tf.Tensor2D) : out;
            }
            const z = fixHalf ? tf.zeros([count, outLast]) : h; // raw: clamped per row below
            const spin = draw(c, z as tf.Tensor2D);
            return [spin, z as tf.Tensor2D, ...inputs];
          });
          site[0].push(kept[0]);
          zRow.push(kept[1]);
          for (let s = 1; s < depth; s++) site[s].push(kept[s + 1]);
        }
        for (let s = 0; s < depth; s++) rows[s].push(tf.stack(site[s], 1) as tf.Tensor3D);
        logitRows.push(tf.tidy(() => tf.clipByValue(tf.concat(zRow, 1), -zmax, zmax)) as tf.Tensor2D);
      } finally {
        drawer.endRow();
        for (const list of site) tf.dispose(list);
        tf.dispose(zRow);
        for (const list of aboveParts) tf.dispose(list);
      }
    }
    const inputsT = tf.tidy(() => tf.reshape(tf.concat(rows[0], 1), [count, R * C * stages[0].inC]));
    const logitsT = tf.tidy(() => tf.reshape(tf.concat(logitRows, 1), [count, R * C * outLast]));
    const inputs = inputsT.dataSync() as Float32Array;
    const logits = logitsT.dataSync() as Float32Array;
    tf.dispose([inputsT, logitsT]);
    return { inputs, logits };
  } finally {
    for (const list of rows) tf.dispose(list);
    tf.dispose(logitRows);
    tf.dispose(owned);
  }
}
