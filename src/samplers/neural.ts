/**
 * Neural samplers for spin systems built on any GenerativeModel q:
 *
 * - `neuralMcmc` (src/samplers/neuralMcmc.ts): q as an independence
 *   Metropolis–Hastings proposal, accepted with min(1, p(x′) q(x) / (p(x) q(x′))),
 *   p ∝ e^{−βE}; alone or alternated with local Metropolis sweeps — a move
 *   (or a sequence of two moves) run by the one Monte Carlo loop. Exact for any
 *   q with full support, however poor (it then only mixes slowly).
 * - `importanceSampling` (src/estimates/spins.ts): Z, F, E, S and observables
 *   from the weights w = e^{−βE − ln q}, with the estimator layer's
 *   convention, ESS, Pareto k̂ and warnings; `bz.samplers.importanceSampling`
 *   is the same function.
 */
export { neuralMcmc, type NeuralMcmcOptions } from "./neuralMcmc";
export { importanceSampling, type ImportanceSamplingOptions, type ImportanceSamplingResult } from "../estimates/spins";
