/**
 * `boltzlab flow --system dimer`: the Boltzmann-generator paper's dimer in a
 * solvent bath (76 dimensions, src/systems/continuous/dimer.ts) end to end.
 *
 * 1. Data: single-particle Metropolis chains started in the closed and in
 *    the open state (each stays where it started: the barrier is ≈ 17 kT).
 * 2. Generator: PCA whitening from the data (src/flows/whiten.ts) at the x
 *    end of RealNVP couplings with random permutations; trained by example,
 *    then with the loss by energy switched on (`combinedSchedule`, the
 *    example weight kept at 1 so that neither state is dropped), through
 *    the one training driver. The energy weight defaults to 0.02: at 0.1
 *    the reverse KL drains the open state (0.5 % of the samples after 1000
 *    steps), at 0.02 it still thins it (1–2 % after 3000 steps in 76-D).
 * 3. Reweighting: ΔF(open − closed) = −ln(P(d > 1.5)/P(d < 1.5)) from the
 *    generator's importance weights (jackknife error), ESS, the populations.
 *    Beside it `deltaFBar`: Bennett's acceptance ratio per state between the
 *    generator's samples and fresh Metropolis samples of that state
 *    (src/bg/bar.ts), with each state's one-sided estimates (`forwardExp`,
 *    `reverseExp`) and `jeffreys` = KL(q‖p) + KL(p‖q) restricted to the
 *    state: how far q is from p there (BAR is trustworthy when it is a few kT).
 * 4. Reference: umbrella sampling along d with harmonic windows and WHAM
 *    (src/samplers/umbrella.ts, src/stats/wham.ts; block-bootstrap error).
 *
 * Everything is checked before any work starts (UsageError, exit 2).
 */
import { logWeightsOf, wellFreeEnergyBar } from "../bg/bar";
import { boltzmannGenerator } from "../bg/generator";
import { freeEnergyProfile, reweight, wellFreeEnergy } from "../bg/reweight";
import { combinedSchedule, trainBoltzmannGenerator } from "../bg/train";
import { ensureBackend } from "../core/backend";
import { Rng } from "../core/random";
import { composeFlows, realNVP } from "../flows/composite";
import { whiten } from "../flows/whiten";
import { particleMetropolis } from "../samplers/particleMoves";
import { umbrellaSampling } from "../samplers/umbrella";
import { wham } from "../stats/wham";
import { dimer } from "../systems/continuous/dimer";
import type { Options } from "./args";
import { need } from "./checks";
import { finiteOrNull, printWarnings } from "./warnings";

/** The options of `boltzlab flow --system dimer`. */
export const FLOW_DIMER_USAGE =
  "boltzlab flow --system dimer [--steps 2000] [--seed 0] [--samples 20000] [--layers 8] [--hidden 128,128] [--batch 256] [--lr 0.001] " +
  "[--sweeps 5000] [--windows 24] [--window-sweeps 4000] [--kappa 500] [--energy-weight 0.02] [--solvent 36]";

/** Runs `boltzlab flow --system dimer` (see the module doc) and returns its JSON summary. */
export async function flowDimer(opts: Options): Promise<Record<string, unknown>> {
  const where = "boltzlab flow";
  opts.string("system");
  const steps = opts.integer("steps", 2000);
  const seed = opts.integer("seed", 0);
  const nSamples = opts.integer("samples", 20000);
  const layers = opts.integer("layers", 8);
  const hiddenText = opts.string("hidden", "128,128");
  const batch = opts.integer("batch", 256);
  const lr = opts.number("lr", 1e-3);
  const sweeps = opts.integer("sweeps", 5000);
  const nWindows = opts.integer("windows", 24);
  const windowSweeps = opts.integer("window-sweeps", 4000);
  const kappa = opts.number("kappa", 500);
  const energyWeight = opts.number("energy-weight", 0.02);
  const solvent = opts.integer("solvent", 36);
  opts.checkUnused();
  const hidden = hiddenText.split(",").map((v) => Number(v));
  need(hidden.every((h) => Number.isInteger(h) && h >= 1), `${where}: --hidden must be comma-separated positive integers, got "${hiddenText}"`);
  need(steps >= 1, `${where}: --steps must be ≥ 1, got ${steps}`);
  need(seed >= 0, `${where}: --seed must be ≥ 0, got ${seed}`);
  need(nSamples >= 2, `${where}: --samples must be ≥ 2, got ${nSamples}`);
  need(layers >= 1, `${where}: --layers must be ≥ 1, got ${layers}`);
  need(batch >= 2, `${where}: --batch must be ≥ 2, got ${batch}`);
  need(lr > 0, `${where}: --lr must be > 0, got ${lr}`);
  need(sweeps >= 50, `${where}: --sweeps must be ≥ 50 (burn-in is a fifth, data every 4th sweep), got ${sweeps}`);
  need(nWindows >= 2, `${where}: --windows must be ≥ 2, got ${nWindows}`);
  need(windowSweeps >= 100, `${where}: --window-sweeps must be ≥ 100 (the bootstrap cuts every window into 10 blocks), got ${windowSweeps}`);
  need(kappa > 0, `${where}: --kappa must be > 0, got ${kappa}`);
  need(energyWeight >= 0, `${where}: --energy-weight must be ≥ 0, got ${energyWeight}`);
  need(solvent >= 0 && solvent <= 64, `${where}: --solvent must be between 0 and 64 (the paper has 36), got ${solvent}`);
  ensureBackend();

  const system = dimer({ solvent });
  const rng = new Rng(seed);
  const beta = 1;
  const split = system.split;

  // 1. MCMC data in both states (4 chains each, every 4th sweep after a fifth of burn-in)
  const chains = 4;
  const thin = 4;
  const burnIn = Math.floor(sweeps / 5);
  const t0 = performance.now();
  const runs = [system.closed, system.open].map((d) =>
    particleMetropolis(system, { beta, sweeps, burnIn, thin, chains, initial: system.start({ distance: d, rng }), stepSize: 0.1, keepSamples: true, rng }),
  );
  const mcmcSeconds = (performance.now() - t0) / 1000;
  const openFractionMcmc = runs.map((r) => {
    const d = system.distances(r.samples as Float64Array);
    let open = 0;
    for (const v of d) if (v > split) open++;
    return open / d.length;
  });
  const data = new Float32Array(runs.reduce((a, r) => a + (r.samples as Float64Array).length, 0));
  let off = 0;
  for (const r of runs) {
    data.set(r.samples as Float64Array, off);
    off += (r.samples as Float64Array).length;
  }

  // 2. the generator: RealNVP couplings → whitening (x end), trained by example then combined
  const white = whiten({ data, dim: system.dim });
  const flow = composeFlows([realNVP({ dim: system.dim, layers, hidden, permutation: "random", rng }), white]);
  const model = boltzmannGenerator({ flow });
  try {
    const trained = trainBoltzmannGenerator(model, {
      system,
      beta,
      steps,
      loss: "combined",
      data,
      batch,
      dataBatch: batch,
      lr,
      weights: combinedSchedule({ warmup: 0.5, ramp: 0.2, energy: energyWeight, example: 1 }),
      energyCut: { high: 1000 },
      rng,
    });
    const t1 = performance.now();
    const rw = reweight(model, { system, beta, samples: nSamples, rng });
    const d = system.distances(rw.x);
    const raw = wellFreeEnergy({ x: d, divide: split });
    const weighted = wellFreeEnergy({ x: d, divide: split, logWeights: rw.logWeights });
    const profile = freeEnergyProfile({ values: d, logWeights: rw.logWeights, bins: 36, range: [0.6, 2.4] });
    const reweightSeconds = (performance.now() - t1) / 1000;

    // 3b. BAR per state: fresh Metropolis samples in each state (continuing the data chains, not the training data themselves) against the generator's
    const t3 = performance.now();
    const fresh = runs.map((r) => particleMetropolis(system, { beta, sweeps, burnIn: 0, thin, chains, initial: r.final, stepSize: 0.1, keepSamples: true, rng }));
    const freshX = new Float64Array(fresh.reduce((a, r) => a + (r.samples as Float64Array).length, 0));
    let o2 = 0;
    for (const r of fresh) {
      freshX.set(r.samples as Float64Array, o2);
      o2 += (r.samples as Float64Array).length;
    }
    const freshD = system.distances(freshX);
    const count = (v: ArrayLike<number>, open: boolean) => Array.from(v).filter((x) => (x > split) === open).length;
    const least = Math.min(count(d, false), count(d, true), count(freshD, false), count(freshD, true));
    // BAR needs samples of both the generator and the data in each state (20 jackknife blocks); else it is reported as null
    const barResult = least >= 40
      ? wellFreeEnergyBar({ generator: { values: d, logWeights: rw.logWeights }, data: { values: freshD, logWeights: logWeightsOf(model, { system, beta, x: freshX }) }, divide: split, blocks: 20 })
      : null;
    const barSeconds = (performance.now() - t3) / 1000;
    const barState = (s: NonNullable<typeof barResult>["left"]) => ({
      logZ: s.logZ.mean, error: s.logZ.error, generatorSamples: s.generatorSamples, dataSamples: s.dataSamples, forwardExp: s.bar.forwardExp, reverseExp: s.bar.reverseExp, jeffreys: finiteOrNull(s.bar.jeffreys),
    });

    // 4. reference: umbrella sampling + WHAM
    const t2 = performance.now();
    const windows = Array.from({ length: nWindows }, (_, k) => 0.75 + (1.5 * k) / (nWindows - 1));
    const us = umbrellaSampling({ system, windows, kappa, sweeps: windowSweeps, thin: 2, rng });
    const ref = wham({ values: us.values, centers: us.centers, kappa: us.kappa, bins: 90, range: [0.6, 2.4], divide: split, bootstrap: 50, rng });
    const umbrellaSeconds = (performance.now() - t2) / 1000;

    const hist = trained.history.toRecords() as Record<string, number | null>[];
    const last = hist[hist.length - 1];
    // wellFreeEnergy's ΔF = F_right − F_left = F(d > split) − F(d < split) = open − closed, as WHAM's
    const summary = {
      system: system.name,
      dim: system.dim,
      beta,
      split,
      steps,
      seed,
      samples: nSamples,
      deltaF: { mean: weighted.deltaF.mean, error: weighted.deltaF.error },
      deltaFReference: { mean: ref.deltaF!.mean, error: ref.deltaF!.error },
      deltaFModel: raw.deltaF.mean,
      deltaFBar: barResult === null ? null : { mean: barResult.deltaF.mean, error: barResult.deltaF.error },
      bar: barResult === null
        ? { reason: `fewer than 40 generator or data samples in a state (least: ${least})` }
        : { closed: barState(barResult.left), open: barState(barResult.right) },
      essFraction: rw.essFraction,
      paretoK: finiteOrNull(rw.paretoK),
      warnings: rw.warnings,
      populations: {
        generator: { closed: 1 - raw.fractionRight.mean, open: raw.fractionRight.mean },
        reweighted: { closed: 1 - weighted.fractionRight.mean, open: weighted.fractionRight.mean, error: weighted.fractionRight.error },
        reference: { closed: 1 - ref.fractionRight!.mean, open: ref.fractionRight!.mean, error: ref.fractionRight!.error },
        mcmc: { closedStart: openFractionMcmc[0], openStart: openFractionMcmc[1] },
      },
      profile: {
        x: Array.from(profile.x),
        generator: Array.from(profile.freeEnergy, (v) => finiteOrNull(v)),
        reference: Array.from(ref.x),
        referenceF: Array.from(ref.freeEnergy, (v) => finiteOrNull(v)),
      },
      finalLoss: { energy: finiteOrNull(last.energyLoss ?? NaN), example: finiteOrNull(last.exampleLoss ?? NaN) },
      umbrella: { windows: nWindows, kappa, sweeps: windowSweeps, whamIterations: ref.iterations, converged: ref.converged },
      msPerStep: trained.msPerStep,
      seconds: { mcmc: mcmcSeconds, train: trained.elapsedMs / 1000, reweight: reweightSeconds, bar: barSeconds, umbrella: umbrellaSeconds },
    };
    printWarnings(where, rw.warnings);
    return summary;
  } finally {
    model.dispose();
  }
}
