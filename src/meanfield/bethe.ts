/**
 * Bethe free energy from (loopy) belief propagation, for pairwise spin systems.
 * Messages are cavity fields u_{i→j} on directed edges,
 *
 *   u_{i→j} = (1/β) atanh[ tanh(βJ_ij) tanh(β h_{i\j}) ]
 *           = (1/2β) [ ln cosh β(J_ij + h_{i\j}) − ln cosh β(J_ij − h_{i\j}) ],
 *   h_{i\j} = h_i + Σ_{k ∈ ∂i \ j} u_{k→i},
 *
 * (the second form has no overflow or atanh(±1) at large β), iterated in
 * parallel with damping from seeded random messages. At a fixed point the Bethe
 * free energy (M. Mézard, G. Parisi, Eur. Phys. J. B 20, 217 (2001)) is
 *
 *   −βF_Bethe = Σ_i ln Z_i − Σ_{(ij)} ln Z_ij,
 *   Z_i  = Σ_{s_i} e^{βh_i s_i} Π_{k ∈ ∂i} 2 cosh β(J_ik s_i + h_{k\i}),
 *   Z_ij = Σ_{s_i, s_j} e^{βJ_ij s_i s_j + βh_{i\j} s_i + βh_{j\i} s_j},
 *
 * with beliefs m_i = tanh(β(h_i + Σ_k u_{k→i})) and pair beliefs ∝ the terms of
 * Z_ij; the energy is U = −Σ J_ij ⟨s_i s_j⟩_b − Σ h_i m_i (= ∂(βF)/∂β at the fixed
 * point). Exact on trees and chains (any fields); on loopy graphs an
 * approximation, the "Bethe" line of Wu, Wang & Zhang, PRL 122, 080602 (2019),
 * Fig. 2. On dense spin glasses at low temperature BP may not converge (then an Error).
 */
import type { SpinSystem } from "../systems/types";
import { finish, logCosh2, notConverged, resolveOptions, type MeanFieldOptions, type MeanFieldResult } from "./common";

function lse(xs: number[]): number {
  let mx = -Infinity;
  for (const x of xs) if (x > mx) mx = x;
  let s = 0;
  for (const x of xs) s += Math.exp(x - mx);
  return mx + Math.log(s);
}

/** Slot of the reverse directed edge for each CSR slot (neighbour lists are sorted). */
function reverseSlots(system: SpinSystem): Int32Array {
  const { offsets, index } = system.neighbors;
  const rev = new Int32Array(index.length);
  for (let a = 0; a < system.n; a++) {
    for (let p = offsets[a]; p < offsets[a + 1]; p++) {
      const b = index[p];
      let lo = offsets[b];
      let hi = offsets[b + 1] - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (index[mid] < a) lo = mid + 1;
        else hi = mid;
      }
      rev[p] = lo;
    }
  }
  return rev;
}

/** Bethe free energy by loopy belief propagation (exact on trees). */
export function bethe(system: SpinSystem, options: MeanFieldOptions): MeanFieldResult {
  const W = "meanfield.bethe";
  const o = resolveOptions(system, options, W, 1);
  const n = system.n;
  const { offsets, index, J } = system.neighbors;
  const h = system.fields;
  const beta = o.beta;
  const rev = reverseSlots(system);
  const slots = index.length;
  // u[p], p a slot of site a with neighbour b: the message u_{b→a}
  const u = new Float64Array(slots);
  const next = new Float64Array(slots);
  const H = new Float64Array(n);
  const fieldsOf = () => {
    for (let a = 0; a < n; a++) {
      let f = h === null ? 0 : h[a];
      for (let p = offsets[a]; p < offsets[a + 1]; p++) f += u[p];
      H[a] = f;
    }
  };
  let best: { betaF: number; energy: number; m: Float64Array; iterations: number } | null = null;
  let convergedStarts = 0;
  let lastChange = Infinity;
  for (let r = 0; r < o.restarts; r++) {
    for (let p = 0; p < slots; p++) u[p] = 2 * o.rng.uniform() - 1;
    let converged = false;
    let iterations = 0;
    for (let it = 1; it <= o.maxIterations; it++) {
      iterations = it;
      fieldsOf();
      for (let a = 0; a < n; a++) {
        for (let p = offsets[a]; p < offsets[a + 1]; p++) {
          // message a → index[p], from the cavity field of a without that neighbour
          const c = H[a] - u[p];
          next[rev[p]] = (logCosh2(beta * (J[p] + c)) - logCosh2(beta * (J[p] - c))) / (2 * beta);
        }
      }
      let change = 0;
      for (let p = 0; p < slots; p++) {
        const v = (1 - o.damping) * next[p] + o.damping * u[p];
        const d = Math.abs(v - u[p]);
        if (d > change) change = d;
        u[p] = v;
      }
      lastChange = change;
      if (!Number.isFinite(change)) break;
      if (change < o.tolerance) {
        converged = true;
        break;
      }
    }
    if (!converged) continue;
    convergedStarts++;
    fieldsOf();
    let logZ = 0;
    let energy = 0;
    const m = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      const ha = h === null ? 0 : h[a];
      let up = beta * ha;
      let dn = -beta * ha;
      for (let p = offsets[a]; p < offsets[a + 1]; p++) {
        const cb = H[index[p]] - u[rev[p]]; // cavity field of the neighbour without a
        up += logCosh2(beta * (J[p] + cb));
        dn += logCosh2(beta * (-J[p] + cb));
      }
      logZ += lse([up, dn]);
      m[a] = Math.tanh(beta * H[a]);
      energy -= ha * m[a];
      for (let p = offsets[a]; p < offsets[a + 1]; p++) {
        const b = index[p];
        if (b < a) continue;
        const ca = H[a] - u[p];
        const cb = H[b] - u[rev[p]];
        const t = [beta * (J[p] + ca + cb), beta * (J[p] - ca - cb), beta * (-J[p] + ca - cb), beta * (-J[p] - ca + cb)];
        const lz = lse(t);
        logZ -= lz;
        const ss = Math.exp(t[0] - lz) + Math.exp(t[1] - lz) - Math.exp(t[2] - lz) - Math.exp(t[3] - lz);
        energy -= J[p] * ss;
      }
    }
    const betaF = -logZ;
    if (best === null || betaF < best.betaF) best = { betaF, energy, m, iterations };
  }
  if (best === null) throw notConverged(W, o, lastChange);
  return finish("bethe", n, beta, best.betaF, best.energy, best.m, best.iterations, o.restarts, convergedStarts);
}
