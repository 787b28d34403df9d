/**
 * Naive mean field: the best product distribution q(s) = Π_i (1 + m_i s_i)/2
 * in the Gibbs–Bogoliubov (variational) sense. Its free energy
 *
 *   F_NMF(m) = ⟨E⟩_q − S(q)/β
 *            = −Σ_{(ij)} J_ij m_i m_j − Σ_i h_i m_i
 *              + (1/β) Σ_i [ (1+m_i)/2 ln((1+m_i)/2) + (1−m_i)/2 ln((1−m_i)/2) ]
 *
 * is an upper bound on the exact F for every m (F_NMF − F = KL(q‖p)/β ≥ 0), and
 * its stationary points satisfy m_i = tanh(β(h_i + Σ_j J_ij m_j)). This is the
 * "NMF" line of Wu, Wang & Zhang, PRL 122, 080602 (2019), Fig. 2.
 *
 * Iteration: sequential (Gauss–Seidel) damped updates
 * m_i ← (1 − d) tanh(β(h_i + Σ_j J_ij m_j)) + d m_i, from `restarts` seeded
 * random starts m_i ~ U(−1, 1); the converged start with the lowest F_NMF is
 * reported (without fields m = 0 is always a stationary point, the paramagnet;
 * random starts find the lower-F magnetised ones below the transition).
 */
import type { SpinSystem } from "../systems/types";
import { finish, notConverged, resolveOptions, spinEntropy, type MeanFieldOptions, type MeanFieldResult, type ResolvedOptions } from "./common";

/** βF_NMF(m) and the mean-field energy ⟨E⟩_q. */
export function nmfFreeEnergy(system: SpinSystem, beta: number, m: ArrayLike<number>): { betaF: number; energy: number } {
  const { i, j, J } = system.edges;
  let e = 0;
  for (let k = 0; k < i.length; k++) e -= J[k] * m[i[k]] * m[j[k]];
  const h = system.fields;
  let s = 0;
  for (let a = 0; a < system.n; a++) {
    if (h !== null) e -= h[a] * m[a];
    s += spinEntropy(m[a]);
  }
  return { betaF: beta * e - s, energy: e };
}

/** One run of the damped sequential iteration from `m` (in place); returns iterations and the last change. */
export function iterateMeanField(system: SpinSystem, o: ResolvedOptions, m: Float64Array, reaction: boolean): { converged: boolean; iterations: number; change: number } {
  const n = system.n;
  const { offsets, index, J } = system.neighbors;
  const h = system.fields;
  const b = o.beta;
  let change = Infinity;
  for (let it = 1; it <= o.maxIterations; it++) {
    change = 0;
    for (let a = 0; a < n; a++) {
      let f = h === null ? 0 : h[a];
      let r = 0;
      for (let p = offsets[a], end = offsets[a + 1]; p < end; p++) {
        const mj = m[index[p]];
        f += J[p] * mj;
        if (reaction) r += J[p] * J[p] * (1 - mj * mj);
      }
      // TAP: the Onsager reaction term −β m_i Σ_j J_ij² (1 − m_j²)
      if (reaction) f -= b * m[a] * r;
      const next = (1 - o.damping) * Math.tanh(b * f) + o.damping * m[a];
      const d = Math.abs(next - m[a]);
      if (d > change) change = d;
      m[a] = next;
    }
    if (!Number.isFinite(change)) return { converged: false, iterations: it, change };
    if (change < o.tolerance) return { converged: true, iterations: it, change };
  }
  return { converged: false, iterations: o.maxIterations, change };
}

/** Naive mean-field free energy (variational upper bound), best of `restarts` seeded random starts. */
export function nmf(system: SpinSystem, options: MeanFieldOptions): MeanFieldResult {
  const W = "meanfield.nmf";
  const o = resolveOptions(system, options, W, 10);
  return bestOfStarts(system, o, W, false);
}

/** Runs the starts of NMF or TAP and returns the converged one of lowest F; throws when none converged. */
export function bestOfStarts(system: SpinSystem, o: ResolvedOptions, where: string, reaction: boolean): MeanFieldResult {
  const n = system.n;
  let best: { betaF: number; energy: number; m: Float64Array; iterations: number } | null = null;
  let convergedStarts = 0;
  let lastChange = Infinity;
  for (let r = 0; r < o.restarts; r++) {
    const m = new Float64Array(n);
    for (let a = 0; a < n; a++) m[a] = 2 * o.rng.uniform() - 1;
    const run = iterateMeanField(system, o, m, reaction);
    lastChange = run.change;
    if (!run.converged) continue;
    convergedStarts++;
    const fe = reaction ? tapFreeEnergyOf(system, o.beta, m) : nmfFreeEnergy(system, o.beta, m);
    if (best === null || fe.betaF < best.betaF) best = { ...fe, m, iterations: run.iterations };
  }
  if (best === null) throw notConverged(where, o, lastChange);
  return finish(reaction ? "tap" : "nmf", n, o.beta, best.betaF, best.energy, best.m, best.iterations, o.restarts, convergedStarts);
}

/**
 * TAP free energy at m (see tap.ts): βF_TAP = βF_NMF − (β²/2) Σ_{(ij)} J_ij² (1 − m_i²)(1 − m_j²),
 * and its energy ∂(βF_TAP)/∂β at fixed m: ⟨E⟩_NMF − β Σ_{(ij)} J_ij² (1 − m_i²)(1 − m_j²).
 */
export function tapFreeEnergyOf(system: SpinSystem, beta: number, m: ArrayLike<number>): { betaF: number; energy: number } {
  const base = nmfFreeEnergy(system, beta, m);
  const { i, j, J } = system.edges;
  let q = 0;
  for (let k = 0; k < i.length; k++) q += J[k] * J[k] * (1 - m[i[k]] * m[i[k]]) * (1 - m[j[k]] * m[j[k]]);
  return { betaF: base.betaF - 0.5 * beta * beta * q, energy: base.energy - beta * q };
}
