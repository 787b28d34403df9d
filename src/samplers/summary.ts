/** A one-call summary of a spin sampler's run: means with τ-corrected errors, τ_int in sweeps and, with ≥ 2 chains, split-R̂. */
import { checkKeys } from "../core/validate";
import { integratedAutocorrelationTime, mcmcMean, type Stats } from "../stats";
import { splitRHat } from "../stats/rhat";
import type { SamplerResult } from "./types";

export interface SummaryOptions {
  /** Observables to summarise (default: all recorded). */
  observables?: string[];
  /** Sokal window constant (default 5). */
  c?: number;
}

export interface SamplerSummary {
  /** Per observable: mean over chains and steps, error from τ_int (per chain, averaged ACF); `rHat` (split-R̂ across chains) with ≥ 2 chains and ≥ 4 records. */
  stats: Record<string, Stats & { rHat?: number }>;
  /** τ_int per observable in sampler steps between records. */
  tauIntSteps: Record<string, number>;
  /** τ_int per observable in single-spin sweeps: steps × thin × diagnostics.sweepsPerStep. */
  tauIntSweeps: Record<string, number>;
  /** Effective number of independent samples per observable. */
  effectiveSamples: Record<string, number>;
}

/**
 * Summarise `result.observables`. `thin` is the recording interval the run
 * used (default 1), needed to express τ in sweeps.
 */
export function summarize(result: SamplerResult, options: SummaryOptions & { thin?: number } = {}): SamplerSummary {
  const where = "summarize";
  checkKeys(options, ["observables", "c", "thin"], where);
  if (result === null || typeof result !== "object" || typeof result.observables !== "object") throw new Error(`${where}: result must be a SamplerResult`);
  const names = options.observables ?? Object.keys(result.observables);
  const per = typeof result.diagnostics.sweepsPerStep === "number" ? (result.diagnostics.sweepsPerStep as number) : 1;
  const thin = options.thin ?? 1;
  const out: SamplerSummary = { stats: {}, tauIntSteps: {}, tauIntSweeps: {}, effectiveSamples: {} };
  for (const k of names) {
    const x = result.observables[k];
    if (x === undefined) throw new Error(`${where}: no observable "${k}" (recorded: ${Object.keys(result.observables).join(", ")})`);
    const tauOpts = { chains: result.chains, ...(options.c === undefined ? {} : { c: options.c }) };
    const st: Stats & { rHat?: number } = mcmcMean(x, tauOpts);
    if (result.chains >= 2) st.rHat = x.length / result.chains >= 4 ? splitRHat(x, { chains: result.chains }) : NaN;
    out.stats[k] = st;
    const t = integratedAutocorrelationTime(x, tauOpts);
    out.tauIntSteps[k] = t.tauInt;
    out.tauIntSweeps[k] = t.tauInt * thin * per;
    out.effectiveSamples[k] = t.effectiveSamples;
  }
  return out;
}
