/**
 * Samplers: classical spin Monte Carlo (Metropolis, heat bath, Wolff,
 * parallel tempering), neural MCMC and importance sampling with any
 * GenerativeModel, and latent-space MC for flows. One call shape
 * (`SamplerOptions` → `SamplerResult`) throughout. Every Markov-chain sampler
 * is a move run by one loop (`runChains`: burn-in, thinning, recording,
 * progress, statistics with split-R̂); moves compose with `sequence`/`every`,
 * and a new move is one `Move` object (for spins: `runSpinMove(system, move, options)`).
 */
export type { SamplerOptions, SamplerResult } from "./types";
export {
  runChains,
  sequence,
  mixture,
  every,
  observableStats,
  defineLazyStats,
  type ChainState,
  type Move,
  type MoveReport,
  type SequenceMove,
  type RunChainsOptions,
  type ObservableStats,
} from "./driver";
export { SpinChainState, type SpinLadder } from "./spinState";
export { metropolisMove, heatBathMove, wolffMove, replicaSwapMove, type LocalMoveOptions } from "./spinMoves";
export { neuralProposalMove, type NeuralProposalOptions, type NeuralProposalMove } from "./neuralMove";
export { ContinuousChainState, randomWalkMove, malaMove } from "./continuousMoves";
export { LatentChainState, latentRandomWalkMove } from "./latent";
export { resolveSamplerOptions, Recorder, type ResolvedSamplerOptions } from "./common";
export { metropolis, heatBath, wolff, parallelTempering, runSpinMove, SPIN_OBSERVABLES, type ParallelTemperingOptions } from "./spin";
export {
  neuralMcmc,
  importanceSampling,
  type NeuralMcmcOptions,
  type ImportanceSamplingOptions,
  type ImportanceSamplingResult,
} from "./neural";
export { summarize, type SummaryOptions, type SamplerSummary } from "./summary";
export { latentMc, type LatentMcOptions, type LatentFlow } from "./latent";
export { continuousMetropolis, mala, type ContinuousSamplerOptions } from "./continuous";
export { populationAnnealing, type PopulationAnnealingOptions, type PopulationAnnealingResult, type PaCurvePoint, type PaEstimate, type PaRun } from "./populationAnnealing";
// q-state Potts (Metropolis, heat bath, Wolff, Swendsen–Wang) and XY (adaptive Metropolis, Wolff reflections) through runChains.
export * from "./pottsExports";
export { particleMove, particleMetropolis, isParticleSystem, type ParticleSystem, type ParticleMoveOptions, type ParticleMetropolisOptions } from "./particleMoves";
export { umbrellaSampling, UmbrellaSystem, type UmbrellaOptions, type UmbrellaResult, type UmbrellaWindow } from "./umbrella";
export { hmc, hmcMove, type HmcOptions, type HmcMoveOptions, type HmcMove } from "./hmc";
export { flowMcmc, flowProposalMove, type FlowMcmcOptions, type FlowProposalOptions, type FlowProposalMove } from "./flowMcmc";
export { FieldChainState, independentSampleCost, type PointState, type ObservableSystem, type SampleCost } from "./fieldState";
