/**
 * The one Monte Carlo loop. A sampler is a **state** (the chains'
 * configurations and whatever they cost nothing to track: energies, local
 * fields, the observables) and a **move** (one transition of every chain:
 * a Metropolis sweep, a heat-bath sweep, a Wolff cluster flip, a replica swap,
 * a neural independence proposal, a random-walk or Langevin step). `runChains`
 * owns everything else, written once: burn-in, thinning, recording the
 * observables (and configurations), the progress bar, timing, and the
 * statistics of every observable (mean, τ-corrected error, τ_int and, with ≥ 2
 * chains, split-R̂). Moves compose: `sequence([a, b])` applies a then b in one
 * step, `every(move, k)` applies a move on every k-th step only. This is
 * netket's MetropolisSampler + MetropolisRule split: a new Monte Carlo move is
 * one `Move` object passed to `runChains` (or to `runSpinMove` for spin
 * systems), nothing else.
 *
 * Step counting: steps are numbered t = 1, 2, …, `total`; the first `burnIn`
 * are discarded and afterwards every `thin`-th step is recorded, at most
 * `recorded` = ⌊(total − burnIn)/thin⌋ times.
 */
import type { Rng } from "../core/random";
import { mcmcMean, type Stats } from "../stats";
import { splitRHat } from "../stats/rhat";
import { Recorder, sweepProgress, type ResolvedSamplerOptions } from "./common";
import type { SamplerResult } from "./types";

/** The chains a move acts on. Implementations: SpinChainState, ContinuousChainState, LatentChainState. */
export interface ChainState {
  /** Independent chains. */
  readonly chains: number;
  /** Degrees of freedom of one configuration (spins, coordinates). */
  readonly size: number;
  /** Names of the observables `record` writes, in order. */
  readonly observableNames: readonly string[];
  /**
   * Incremented by a move whenever it changes a configuration. Moves that
   * cache functions of the configurations (ln q of a neural proposal, ∇E for
   * MALA) compare it with the value they last saw and refresh when it moved.
   */
  version: number;
  /** Write every chain's observables, and its configuration when `rec.samples` is kept, into the recorder's current slot. */
  record(rec: Recorder): void;
  /** The configurations the chains are in, [chains × size] (a copy). */
  final(): Float64Array;
  /** State-level diagnostics merged into the result (e.g. the β ladder). */
  diagnostics?(): Record<string, unknown>;
}

/** What a move reports at the end of a run. */
export interface MoveReport {
  /** Fraction of accepted proposals (the result's `acceptance`). */
  acceptance: number;
  /** Attempted elementary updates so far (spin-flip attempts, proposals; for `updatesPerSecond`). */
  updates: number;
  /** Move-specific diagnostics; `sweepsPerStep` (single-spin sweeps one step is worth) is summed over a sequence. */
  diagnostics: Record<string, unknown>;
  /** One short phrase for the end of the progress bar, e.g. "acceptance 0.412". */
  summary: string;
}

/** One Monte Carlo transition of every chain of a state S. */
export interface Move<S extends ChainState = ChainState> {
  readonly name: string;
  /**
   * Check that the move applies to this state (throws naming the problem),
   * allocate, and reset counters and caches; called once at the start of
   * every run, so one move object can be run again.
   */
  init?(state: S, where: string): void;
  /** Elementary updates one step costs over all chains (sets how often the progress bar ticks). */
  cost(state: S): number;
  /** Advance every chain by one application of the move; t is the step number (1-based, burn-in included). */
  step(state: S, rng: Rng, t: number): void;
  /** Counters and diagnostics so far; `elapsedMs` is the loop's wall time. */
  report(state: S, elapsedMs: number): MoveReport;
  /** Short live status for the progress bar (called only when it redraws). */
  status?(): string;
}

/** `Stats` of one recorded observable: mean with τ-corrected error, τ_int in recorded steps, and split-R̂ when there are ≥ 2 chains. */
export type ObservableStats = Stats & { rHat?: number };

export interface RunChainsOptions {
  /** Name for the progress bar and `diagnostics.sampler`. */
  label: string;
  /** Total number of steps, burn-in included. */
  total: number;
  /** Steps discarded before recording. */
  burnIn: number;
  /** Record every `thin`-th step after burn-in. */
  thin: number;
  /** Keep the recorded configurations. */
  keepSamples: boolean;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress: boolean | undefined;
  rng: Rng;
  /** Called after `move.init` and before the first step (e.g. to draw the starting configurations once the move has accepted the state). */
  prepare?: () => void;
}

/**
 * Statistics of every recorded observable, each [recorded × chains]
 * step-major: `mcmcMean` (Sokal-window τ_int) and, with ≥ 2 chains and ≥ 4
 * records, split-R̂ (classic, BDA3/netket; `stats/rhat.ts`). Observables with
 * fewer than 2 records, or a non-finite value, get NaN fields.
 */
export function observableStats(observables: Record<string, Float64Array>, chains: number): Record<string, ObservableStats> {
  const out: Record<string, ObservableStats> = {};
  for (const [k, x] of Object.entries(observables)) {
    const steps = x.length / chains;
    let finite = true;
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) { finite = false; break; }
    const s: ObservableStats = finite && steps >= 2 ? mcmcMean(x, { chains }) : { mean: NaN, error: NaN, variance: NaN, tauInt: NaN, n: x.length };
    if (chains >= 2) s.rHat = finite && steps >= 4 ? splitRHat(x, { chains }) : NaN;
    out[k] = s;
  }
  return out;
}

/** Run `move` on `state` for `options.total` steps: the loop every sampler of this module shares. */
export function runChains<S extends ChainState>(state: S, move: Move<S>, options: RunChainsOptions): SamplerResult {
  const { total, burnIn, thin, rng } = options;
  move.init?.(state, options.label);
  options.prepare?.();
  const recorded = Math.max(0, Math.floor((total - burnIn) / thin));
  const rec = new Recorder(state.observableNames, recorded, state.chains, state.size, options.keepSamples);
  const bar = sweepProgress(total, options.label, options.progress, move.cost(state));
  const status = move.status === undefined ? undefined : () => move.status!();
  // the next step to record and to tick the bar at, so that a step costs the move and two comparisons
  let nextRecord = recorded > 0 ? burnIn + thin : Infinity;
  let records = 0;
  let nextTick = Math.min(bar.every, total);
  const t0 = performance.now();
  for (let t = 1; t <= total; t++) {
    move.step(state, rng, t);
    if (t === nextRecord) {
      state.record(rec);
      rec.next();
      nextRecord = ++records < recorded ? t + thin : Infinity;
    }
    if (t === nextTick) {
      bar.tick(t, status);
      nextTick = Math.min(t + bar.every, total);
    }
  }
  const elapsedMs = performance.now() - t0;
  const r = move.report(state, elapsedMs);
  bar.done(r.summary);
  const result = {
    final: state.final(),
    chains: state.chains,
    size: state.size,
    samples: rec.samples,
    recorded: rec.count,
    observables: rec.observables,
    acceptance: r.acceptance,
    diagnostics: { sampler: options.label, ...r.diagnostics, ...(state.diagnostics?.() ?? {}) },
    updatesPerSecond: elapsedMs > 0 ? r.updates / (elapsedMs / 1000) : Infinity,
    elapsedMs,
  } as Omit<SamplerResult, "stats"> as SamplerResult;
  defineLazyStats(result, rec.observables, state.chains);
  return result;
}

/** Chains that draw their own starting configurations (from `initial`, or at random). */
export interface InitializableState extends ChainState {
  initialize(initial: ArrayLike<number> | null, rng: Rng): void;
}

/**
 * `runChains` with the shared sampler options (`resolveSamplerOptions`): burn-in
 * plus sweeps steps, thinning, recording and progress as resolved, and the
 * chains started from `o.initial` (or at random) once the move has accepted
 * the state (or by `prepare`, e.g. from model samples). The spin, Potts, XY
 * and neural samplers all run through this.
 */
export function runResolved<S extends InitializableState>(state: S, move: Move<S>, o: ResolvedSamplerOptions, label: string, prepare?: () => void): SamplerResult {
  return runChains(state, move, {
    label,
    total: o.burnIn + o.sweeps,
    burnIn: o.burnIn,
    thin: o.thin,
    keepSamples: o.keepSamples,
    progress: o.progress,
    rng: o.rng,
    prepare: prepare ?? (() => state.initialize(o.initial, o.rng)),
  });
}

/**
 * Give `result` an enumerable `stats` property computed on first access and
 * cached (the FFT-based τ_int of long series can cost as much as the sweeps of
 * a small system, so a run whose statistics are never read does not pay for them).
 */
export function defineLazyStats(result: SamplerResult, observables: Record<string, Float64Array>, chains: number): void {
  let cache: Record<string, ObservableStats> | null = null;
  Object.defineProperty(result, "stats", {
    enumerable: true,
    configurable: true,
    get: () => (cache ??= observableStats(observables, chains)),
    set: (v: Record<string, ObservableStats>) => {
      cache = v;
    },
  });
}

/** A move made of several, applied in order within one step. */
export interface SequenceMove<S extends ChainState> extends Move<S> {
  readonly parts: readonly Move<S>[];
}

/**
 * Compose moves: one step applies each part in order (e.g. a neural
 * proposal followed by a local sweep, or sweeps followed by replica swaps).
 * The report takes `acceptance` from part `primary` (default 0), sums the
 * updates and `sweepsPerStep`, and merges the other diagnostics (later parts
 * win on a shared key).
 */
export function sequence<S extends ChainState>(parts: readonly Move<S>[], options: { name?: string; primary?: number } = {}): SequenceMove<S> {
  if (!Array.isArray(parts) || parts.length === 0) throw new Error("sequence: parts must be a non-empty array of moves");
  const primary = options.primary ?? 0;
  if (!Number.isInteger(primary) || primary < 0 || primary >= parts.length) throw new Error(`sequence: primary must be an index into parts (0..${parts.length - 1}), got ${primary}`);
  const list = parts.slice();
  return {
    name: options.name ?? list.map((m) => m.name).join("+"),
    parts: list,
    init(state, where) {
      for (const m of list) m.init?.(state, where);
    },
    cost: (state) => list.reduce((a, m) => a + m.cost(state), 0),
    step(state, rng, t) {
      for (let k = 0; k < list.length; k++) list[k].step(state, rng, t);
    },
    report(state, elapsedMs) {
      const reports = list.map((m) => m.report(state, elapsedMs));
      const diagnostics: Record<string, unknown> = {};
      let sweeps = 0;
      let hasSweeps = false;
      for (const r of reports) {
        Object.assign(diagnostics, r.diagnostics);
        if (typeof r.diagnostics.sweepsPerStep === "number") {
          sweeps += r.diagnostics.sweepsPerStep;
          hasSweeps = true;
        }
      }
      if (hasSweeps) diagnostics.sweepsPerStep = sweeps;
      return {
        acceptance: reports[primary].acceptance,
        updates: reports.reduce((a, r) => a + r.updates, 0),
        diagnostics,
        summary: reports.map((r, k) => (r.summary === "" ? "" : `${list[k].name}: ${r.summary}`)).filter((s) => s !== "").join(", "),
      };
    },
    status: list[primary].status === undefined ? undefined : () => list[primary].status!(),
  };
}

/** Apply `move` only on steps t with t mod k = 0 (e.g. replica swaps every k sweeps). Its `sweepsPerStep` is divided by k. */
export function every<S extends ChainState>(move: Move<S>, k: number): Move<S> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`every: k must be an integer ≥ 1, got ${k}`);
  return {
    name: k === 1 ? move.name : `${move.name}/${k}`,
    init: move.init === undefined ? undefined : (state, where) => move.init!(state, where),
    cost: (state) => move.cost(state) / k,
    step(state, rng, t) {
      if (t % k === 0) move.step(state, rng, t);
    },
    report(state, elapsedMs) {
      const r = move.report(state, elapsedMs);
      if (typeof r.diagnostics.sweepsPerStep !== "number" || k === 1) return r;
      return { ...r, diagnostics: { ...r.diagnostics, sweepsPerStep: r.diagnostics.sweepsPerStep / k } };
    },
    status: move.status === undefined ? undefined : () => move.status!(),
  };
}

/**
 * A random mixture of moves (cf. netket's `MultipleRules`): each step draws
 * one uniform and applies part k, with probability weights[k] / Σ weights, to
 * all chains. Every part leaves the target distribution invariant, so the
 * mixture does too; unlike netket the choice is shared by the chains of one
 * step. The report is that of a `sequence` over the parts (acceptance from
 * part `primary`, default 0), except that `sweepsPerStep` is the
 * weight-averaged one.
 */
export function mixture<S extends ChainState>(parts: readonly Move<S>[], options: { weights?: readonly number[]; name?: string; primary?: number } = {}): SequenceMove<S> {
  const where = "mixture";
  if (!Array.isArray(parts) || parts.length === 0) throw new Error(`${where}: parts must be a non-empty array of moves`);
  const w = options.weights ?? parts.map(() => 1);
  if (!Array.isArray(w) || w.length !== parts.length || w.some((v) => !(Number.isFinite(v) && v >= 0)) || !(w.reduce((a, v) => a + v, 0) > 0)) {
    throw new Error(`${where}: weights must be ${parts.length} finite numbers ≥ 0, not all 0`);
  }
  const total = w.reduce((a, v) => a + v, 0);
  const cdf = new Float64Array(w.length);
  for (let k = 0, acc = 0; k < w.length; k++) cdf[k] = acc += w[k] / total;
  cdf[w.length - 1] = 1;
  const seq = sequence(parts, { name: options.name ?? `mixture(${parts.map((m) => m.name).join(",")})`, primary: options.primary });
  const list = seq.parts;
  return {
    ...seq,
    cost: (state) => list.reduce((a, m, k) => a + (w[k] / total) * m.cost(state), 0),
    step(state, rng, t) {
      const u = rng.uniform();
      let k = 0;
      while (u >= cdf[k]) k++;
      list[k].step(state, rng, t);
    },
    report(state, elapsedMs) {
      const r = seq.report(state, elapsedMs);
      let sweeps = 0;
      let hasSweeps = false;
      list.forEach((m, k) => {
        const d = m.report(state, elapsedMs).diagnostics.sweepsPerStep;
        if (typeof d === "number") (sweeps += (w[k] / total) * d), (hasSweeps = true);
      });
      if (hasSweeps) r.diagnostics.sweepsPerStep = sweeps;
      return r;
    },
  };
}
