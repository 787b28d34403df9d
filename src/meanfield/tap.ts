/**
 * Thouless–Anderson–Palmer mean field: Plefka's expansion of the Gibbs free
 * energy G(m) in β to second order (T. Plefka, J. Phys. A 15, 1971 (1982)),
 *
 *   βF_TAP(m) = Σ_i [ (1+m_i)/2 ln((1+m_i)/2) + (1−m_i)/2 ln((1−m_i)/2) ]
 *               − β Σ_{(ij)} J_ij m_i m_j − β Σ_i h_i m_i
 *               − (β²/2) Σ_{(ij)} J_ij² (1 − m_i²)(1 − m_j²),
 *
 * stationary where m_i = tanh(β(h_i + Σ_j J_ij m_j − β m_i Σ_j J_ij² (1 − m_j²)))
 * (the last term is the Onsager reaction term). As in Wu, Wang & Zhang,
 * PRL 122, 080602 (2019), Fig. 2 ("TAP"). Not a bound: at high temperature it
 * adds the first correction (β²/2) Σ J² to NMF's −N ln 2 and is much closer to
 * the exact F; in the spin-glass phase the iteration may not converge (then an
 * Error). Without fields m = 0 stays a TAP solution at every β, but beyond
 * Plefka's condition (for SK, β² (1/N) Σ_i (1 − m_i²)² < 1) the expansion is
 * not valid there and F_TAP = −(N ln 2 + (β²/2) Σ J²)/β falls far below F
 * (SK N = 20 at β = 2: 10–20% too low). Energy U = ∂(βF_TAP)/∂β at the stationary m.
 *
 * Iteration as for NMF (sequential, damped), from `restarts` seeded random
 * starts (default 1); the converged one with the lowest F_TAP is reported.
 */
import type { SpinSystem } from "../systems/types";
import { resolveOptions, type MeanFieldOptions, type MeanFieldResult } from "./common";
import { bestOfStarts } from "./nmf";

/** TAP free energy (second-order Plefka expansion) at inverse temperature `options.beta`. */
export function tap(system: SpinSystem, options: MeanFieldOptions): MeanFieldResult {
  const W = "meanfield.tap";
  const o = resolveOptions(system, options, W, 1);
  return bestOfStarts(system, o, W, true);
}

export { tapFreeEnergyOf } from "./nmf";
