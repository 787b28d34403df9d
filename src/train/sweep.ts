/**
 * A β-sweep: train one model along a list of inverse temperatures, each stage
 * warm-started from the weights (and Adam state) of the previous one, and
 * estimate F, E, S, |m| after each stage. With `anneal`, stage k anneals from
 * the previous β to its own: β_t = β_{k−1} + (β_k − β_{k−1})(1 − a^t).
 */
import path from "node:path";
import { ensureBackend } from "../core/backend";
import { resolveRng } from "../core/random";
import { frameFromRows, type DataFrame } from "../core/table";
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import { estimateVan, type VanEstimates } from "../estimates/van";
import { exact } from "../exact/exact";
import type { SpinSystem } from "../systems/types";
import { Adam } from "./adam";
import { checkWritableFile } from "./driver";
import { checkModelSystem, trainVan, type TrainVanOptions, type VanHistoryRow } from "./van";

export interface SweepVanOptions extends Omit<TrainVanOptions, "system" | "beta" | "betaStart" | "optimizer" | "resume" | "checkpoint" | "checkpointEvery" | "label" | "onStep"> {
  /** The spin system (sweeps estimate with the spin estimators). */
  system: SpinSystem;
  /** Inverse temperatures, trained in the given order. */
  betas: number[];
  /** Steps at the first β when it differs from `steps` (default `steps`). */
  stepsFirst?: number;
  /** Fresh samples for the estimates after each stage (default 10 000; 0 = none). */
  estimateSamples?: number;
  /** Add the exact free energy, energy and entropy per spin at each β (enumeration etc.; default false). */
  exact?: boolean;
  /** Folder for one checkpoint per stage (`beta-<β>.json`). */
  checkpointDir?: string;
  onStep?: (row: VanHistoryRow & { stage: number }) => void;
}

export interface SweepVanResult {
  /** All steps of all stages, with `stage` and `targetBeta` columns. */
  history: DataFrame;
  /** One row per β: estimates (per spin) and, with `exact`, the exact values and the relative error of F_q. */
  results: DataFrame;
  estimates: (VanEstimates | null)[];
}

/** Train along `betas` with warm starts; see the module doc. */
export function sweepVan(options: SweepVanOptions): SweepVanResult {
  const W = "sweepVan";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  const { betas, stepsFirst, estimateSamples, exact: wantExact, checkpointDir, onStep, ...train } = options;
  checkKeys(train, ["model", "system", "steps", "batch", "lr", "schedule", "lrMin", "lrDecay", "clip", "anneal", "adam", "progress", "seed", "rng"], W);
  checkModelSystem(options.model, options.system, W);
  if (!Array.isArray(betas) || betas.length === 0) throw new Error(`${W}: betas must be a non-empty array of positive numbers`);
  betas.forEach((b, k) => checkPositive(b, `betas[${k}]`, W));
  const steps = checkInteger(options.steps, "steps", W, { min: 1 });
  const first = checkInteger(stepsFirst ?? steps, "stepsFirst", W, { min: 1 });
  const nEst = checkInteger(estimateSamples ?? 10000, "estimateSamples", W, { min: 0 });
  // the stage checkpoints must be writable before the first stage trains
  if (checkpointDir !== undefined) checkWritableFile(path.join(String(checkpointDir), `beta-${betas[0]}.json`), "checkpointDir", W);
  const rng = resolveRng(options, W);
  ensureBackend();
  const optimizer = new Adam(options.model.trainableVariables, options.adam ?? {});
  const hist: Record<string, number>[] = [];
  const results: Record<string, number | null>[] = [];
  const estimates: (VanEstimates | null)[] = [];
  const n = options.system.n;
  try {
    betas.forEach((beta, stage) => {
      const { seed: _s, rng: _r, ...rest } = train;
      void _s;
      void _r;
      const r = trainVan({
        ...rest,
        steps: stage === 0 ? first : steps,
        beta,
        betaStart: stage === 0 ? 0 : betas[stage - 1],
        optimizer,
        rng,
        label: `VAN β=${beta} (${stage + 1}/${betas.length})`,
        checkpoint: checkpointDir === undefined ? undefined : path.join(checkpointDir, `beta-${beta}.json`),
        onStep: (row) => {
          hist.push({ ...row, stage, targetBeta: beta });
          onStep?.({ ...row, stage });
        },
      });
      const last = r.rows[r.rows.length - 1];
      const row: Record<string, number | null> = { beta, steps: r.steps, msPerStep: r.msPerStep, fTraining: last.freeEnergy };
      let est: VanEstimates | null = null;
      if (nEst > 0) {
        est = estimateVan({ model: options.model, system: options.system, beta, samples: Math.max(2, nEst), batch: options.batch ?? 1000, rng });
        Object.assign(row, {
          fVariational: est.fVariational.mean,
          fVariationalError: est.fVariational.error,
          fImportance: est.fImportance.mean,
          fImportanceError: est.fImportance.error,
          essFraction: est.essFraction,
          energy: est.energyModel.mean,
          energyError: est.energyModel.error,
          energyReweighted: est.energy.mean,
          entropy: est.entropyModel.mean,
          entropyReweighted: est.entropy.mean,
          absMagnetization: est.observablesModel.absMagnetizationPerSpin.mean,
        });
      }
      estimates.push(est);
      if (wantExact === true) {
        const ex = exact(options.system, beta);
        row.fExact = ex.freeEnergyPerSpin;
        row.energyExact = ex.energyPerSpin;
        row.entropyExact = ex.entropyPerSpin;
        const fv = est !== null ? est.fVariational.mean : last.freeEnergy;
        row.relativeError = (fv - ex.freeEnergyPerSpin) / Math.abs(ex.freeEnergyPerSpin);
      }
      results.push(row);
    });
  } finally {
    optimizer.dispose();
  }
  void n;
  return { history: frameFromRows(hist), results: frameFromRows(results), estimates };
}
