/**
 * `boltzlab flow --system phi4:L=8,m2=M,lambda=G`: train a convolutional
 * Boltzmann generator (checkerboard affine couplings with periodic CNN
 * conditioners, standard normal prior) on lattice φ⁴ by energy (reverse KL,
 * β = 1: the energy is the action), then run flow-based MCMC (independence
 * Metropolis–Hastings with the flow as proposal) and print its acceptance,
 * ⟨φ²⟩ (site average) and ⟨|M|⟩/V with τ-corrected errors, τ_int of |M| and
 * of the action, the Kish ESS fraction of the flow's importance weights, the
 * cost per independent sample and the wall times. For the free theory
 * (λ = 0) the exact lattice values are printed beside.
 *
 * `--example-weight W` > 0 trains with the combined loss instead: by energy
 * plus W × by example on an HMC run of `--data-sweeps` trajectories (every
 * 10th kept). In the broken phase the reverse KL alone under-covers the fields
 * near M = 0 and the chain sticks there; the output then warns when the
 * longest rejection run exceeds a tenth of the run.
 */
import { boltzmannGenerator } from "../bg/generator";
import { reweight } from "../bg/reweight";
import { trainBoltzmannGenerator } from "../bg/train";
import { ensureBackend } from "../core/backend";
import { Rng } from "../core/random";
import { convFlow } from "../flows/convCoupling";
import { independentSampleCost } from "../samplers/fieldState";
import { flowMcmc } from "../samplers/flowMcmc";
import { hmc } from "../samplers/hmc";
import { freePhi4, parsePhi4Spec } from "../systems/continuous/phi4";
import type { Options } from "./args";
import { asUsage, need } from "./checks";
import { printWarnings } from "./warnings";

export const FLOW_PHI4_USAGE =
  "boltzlab flow --system phi4:L=8,m2=M,lambda=G [--steps 1000] [--samples 10000] [--seed 0] [--layers 8] [--hidden 16,16] [--kernel 3] [--batch 128] [--lr 0.001] [--burn-in N] [--example-weight 0] [--data-sweeps 2000]";

/** Runs `boltzlab flow` for a φ⁴ system spec (dispatched from src/cli/flow.ts). */
export function flowPhi4(opts: Options): Record<string, unknown> {
  const where = "boltzlab flow";
  const spec = opts.string("system");
  const steps = opts.integer("steps", 1000);
  const samples = opts.integer("samples", 10000);
  const seed = opts.integer("seed", 0);
  const layers = opts.integer("layers", 8);
  const hiddenText = opts.string("hidden", "16,16");
  const kernel = opts.integer("kernel", 3);
  const batch = opts.integer("batch", 128);
  const lr = opts.number("lr", 1e-3);
  const burnIn = opts.integer("burn-in", Math.min(100, Math.floor(samples / 10)));
  const exampleWeight = opts.number("example-weight", 0);
  const dataSweeps = opts.integer("data-sweeps", 2000);
  opts.checkUnused();
  // Everything is checked here, before TensorFlow loads.
  const system = asUsage(`${where}: --system ${spec}`, () => parsePhi4Spec(spec));
  const hidden = hiddenText.split(",").map((v) => Number(v));
  need(hidden.every((h) => Number.isInteger(h) && h >= 1), `${where}: --hidden must be comma-separated positive integers, got "${hiddenText}"`);
  need(steps >= 1, `${where}: --steps must be ≥ 1, got ${steps}`);
  need(samples >= 20, `${where}: --samples must be ≥ 20 (flow-MCMC proposals; τ_int needs a series), got ${samples}`);
  need(burnIn >= 0 && burnIn < samples, `${where}: --burn-in must be ≥ 0 and < --samples (${samples}), got ${burnIn}`);
  need(seed >= 0, `${where}: --seed must be ≥ 0, got ${seed}`);
  need(layers >= 1, `${where}: --layers must be ≥ 1, got ${layers}`);
  need(kernel >= 1 && kernel % 2 === 1 && (kernel - 1) / 2 <= system.L, `${where}: --kernel must be an odd integer ≥ 1 no wider than the lattice wraps (L = ${system.L}), got ${kernel}`);
  need(batch >= 2, `${where}: --batch must be ≥ 2, got ${batch}`);
  need(lr > 0, `${where}: --lr must be > 0, got ${lr}`);
  need(exampleWeight >= 0, `${where}: --example-weight must be ≥ 0, got ${exampleWeight}`);
  need(dataSweeps >= 600, `${where}: --data-sweeps must be ≥ 600 (500 trajectories of burn-in, then every 10th kept), got ${dataSweeps}`);
  ensureBackend();

  const rng = new Rng(seed);
  const model = boltzmannGenerator({ flow: convFlow({ L: system.L, layers, hidden, kernel, rng }) });
  try {
    // no energy cut: the action of a whole lattice is O(V), far above the cut's default threshold (βE = 100), which would flatten the loss
    const tData = performance.now();
    const example = exampleWeight > 0
      ? { loss: "combined" as const, weights: { energy: 1, example: exampleWeight }, dataBatch: batch,
          data: Float32Array.from(hmc(system, { beta: 1, sweeps: dataSweeps, burnIn: 500, thin: 10, keepSamples: true, rng, progress: false }).samples as Float64Array) }
      : {};
    const dataSeconds = (performance.now() - tData) / 1000;
    const trained = trainBoltzmannGenerator(model, { system, beta: 1, steps, batch, lr, rng, clip: 10, energyCut: false, ...example });
    const rw = reweight(model, { system, beta: 1, samples: 2048, batch: 512, rng });
    const t0 = performance.now();
    const r = flowMcmc(system, { model, beta: 1, sweeps: samples, burnIn, rng, batchSize: 512 });
    const sampleSeconds = (performance.now() - t0) / 1000;
    const st = r.stats;
    const cost = independentSampleCost(r, { observable: "absMagnetization", steps: samples });
    const hist = trained.history.toRecords() as Record<string, number>[];
    const last = hist[hist.length - 1];
    const ex = system.lambda === 0 ? freePhi4({ L: system.L, m2: system.m2 }) : null;
    const longest = r.diagnostics.longestRejectionRun as number;
    const warnings = longest > samples / 10
      ? [`the chain stayed on one configuration for ${longest} of ${samples} steps: the flow under-covers part of p and the error bars are not reliable${exampleWeight > 0 ? "" : " (try --example-weight 1)"}`]
      : [];
    printWarnings(where, warnings);
    return {
      system: system.name,
      L: system.L,
      m2: system.m2,
      lambda: system.lambda,
      beta: 1,
      steps,
      samples,
      burnIn,
      seed,
      sampler: "flowMcmc",
      acceptance: r.acceptance,
      phi2: { mean: st.phi2.mean, error: st.phi2.error },
      absMagnetization: { mean: st.absMagnetization.mean, error: st.absMagnetization.error },
      action: { mean: st.action.mean, error: st.action.error },
      tauInt: { absMagnetization: st.absMagnetization.tauInt, action: st.action.tauInt },
      essFraction: rw.essFraction,
      exact: ex === null ? null : { phi2: ex.phi2, absMagnetization: ex.absMagnetization, action: ex.action },
      finalLoss: last.energyLoss,
      finalExampleLoss: exampleWeight > 0 ? last.exampleLoss : null,
      longestRejectionRun: r.diagnostics.longestRejectionRun,
      loss: exampleWeight > 0 ? { kind: "combined", exampleWeight, dataSweeps } : { kind: "energy" },
      warnings,
      msPerIndependentSample: cost.msPerIndependentSample,
      timings: { msPerStep: trained.msPerStep, dataSeconds, trainSeconds: trained.elapsedMs / 1000, sampleSeconds, msPerProposal: cost.msPerStep },
    };
  } finally {
    model.dispose();
  }
}
