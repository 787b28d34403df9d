/**
 * The q-state MADE's fast sampler on the JS side: the same caching as the
 * Ising MADE's JS path (madeSampler.ts, whose weight pull and 8-wide dot
 * product it reuses). The units a conditional depends on are a prefix of
 * every layer, so site i computes only its own block of each layer from the
 * prefixes already computed, and the first layer's pre-activations are kept
 * up to date as states are drawn: a one-hot input adds one row of the first
 * weight matrix per drawn state (no multiplications). One forward pass of
 * work per sample instead of N; logits and ln q in float64.
 */
import { dotG, G, pull, scratch, siteHidden, type Pulled } from "./madeSampler";
import type { MadeNet } from "./madeLayers";
import { drawCategorical, logSumExpRow, type BaseSamples } from "./potts";

/**
 * Sample (u given, [batch × N] row-major uniforms) or evaluate (u null, `states`
 * given) base configurations of a q-state MADE `net` (q outputs per site);
 * with `fixFirst` site 0 is state 0 and left out of ln q₀.
 */
export function runPottsMade(net: MadeNet, q: number, batch: number, u: Float32Array | null, states: Float32Array, fixFirst: boolean, withLq: boolean): BaseSamples {
  const p = pull(net);
  const n = net.size;
  const logProb = new Float64Array(batch);
  const sc = scratch(net, q);
  const lq = new Float64Array(G);
  for (let b0 = 0; b0 < batch; b0 += G) {
    const count = Math.min(G, batch - b0);
    runGroup(net, q, p, sc, states, b0, count, u, fixFirst, withLq ? lq : null);
    for (let s = 0; s < count; s++) logProb[b0 + s] = withLq ? lq[s] : NaN;
  }
  return { states, logProb };
}

/**
 * Samples b0 … b0+count−1 side by side, site by site. Scratch arrays are
 * unit-major with the G samples innermost: scratch[0] the first layer's running
 * pre-activations, scratch[2l−1] layer l's activated input, scratch[2l] its
 * output, the last one the q·G logits of the current site (state-major).
 */
function runGroup(
  net: MadeNet, q: number, p: Pulled, sc: Float64Array[], states: Float32Array, b0: number, count: number,
  u: Float32Array | null, fixFirst: boolean, lq: Float64Array | null,
): void {
  const n = net.size;
  const depth = net.depth;
  const out0 = net.layers[0].outSize;
  const per0 = out0 / n; // first-layer units per site (q at depth 1, width otherwise)
  const a0 = sc[0];
  const zs = sc[sc.length - 1];
  for (let k = 0; k < out0; k++) a0.fill(p.b0[k], k * G, (k + 1) * G);
  lq?.fill(0);
  const zmax = net.zmax;
  const zrow = new Float64Array(q);
  const drawn = new Int32Array(G);
  for (let i = 0; i < n; i++) {
    if (depth === 1) {
      for (let k = 0; k < q; k++) for (let s = 0; s < G; s++) zs[k * G + s] = a0[(i * q + k) * G + s];
    } else {
      const g = siteHidden(net, p, sc, i);
      const L = depth - 1;
      const inSize = net.layers[L].inSize;
      const hi = (i + 1) * net.width;
      for (let k = 0; k < q; k++) dotG(p.wt[L], (i * q + k) * inSize, g, hi, p.b[L][i * q + k], zs, k * G);
    }
    for (let s = 0; s < count; s++) {
      const row = (b0 + s) * n + i;
      if (i === 0 && fixFirst) {
        states[row] = 0;
        drawn[s] = 0;
        continue;
      }
      for (let k = 0; k < q; k++) {
        let z = i === 0 && net.biasFreeFirst ? 0 : zs[k * G + s];
        if (z > zmax) z = zmax;
        else if (z < -zmax) z = -zmax;
        zrow[k] = z;
      }
      let k: number;
      if (u !== null) {
        k = drawCategorical(zrow, 0, q, u[row]);
        states[row] = k;
      } else k = states[row];
      drawn[s] = k;
      if (lq !== null) lq[s] += zrow[k] - logSumExpRow(zrow, 0, q);
    }
    // the drawn states' rows of the first weight matrix into the later sites' pre-activations
    const start = (i + 1) * per0;
    const w0 = p.w0;
    for (let s = 0; s < count; s++) {
      const r = (i * q + drawn[s]) * out0;
      for (let k = start; k < out0; k++) a0[k * G + s] += w0[r + k];
    }
  }
}
