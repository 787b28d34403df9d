/**
 * The φ⁴ targets of issue 12, as a script (not a *.bench.ts, so `npm run bench`
 * does not run it): train a convolutional Boltzmann generator by energy at
 * lattice size L, run flow-based MCMC with it and HMC on the same system, and
 * print acceptance, τ_int(|M|) and τ_int(S) of both, ⟨|M|⟩/V and ⟨φ²⟩ with
 * errors, their difference in σ, costs per independent sample and wall times.
 *
 *   node --import tsx bench/phi4-targets.ts L=16 m2=-4 lambda=4.25 minutes=20 flowSteps=20000 hmcSweeps=40000
 *
 * exampleWeight=W > 0 trains with the combined loss instead: by energy plus W ×
 * by example on an HMC run of dataSweeps trajectories (every 10th kept). The
 * reverse KL alone under-covers the fields near M = 0, and the independence
 * chain then sticks there for thousands of steps (heavy-tailed weights); the
 * example term covers them.
 */
import { boltzmannGenerator } from "../src/bg/generator";
import { reweight } from "../src/bg/reweight";
import { trainBoltzmannGenerator } from "../src/bg/train";
import { ensureBackend } from "../src/core/backend";
import { convFlow } from "../src/flows/convCoupling";
import { independentSampleCost } from "../src/samplers/fieldState";
import { flowMcmc } from "../src/samplers/flowMcmc";
import { hmc } from "../src/samplers/hmc";
import { phi4 } from "../src/systems/continuous/phi4";

const arg: Record<string, number> = { exampleWeight: 0, dataSweeps: 4000, pretrainL: 0, pretrainMinutes: 5, L: 16, m2: -4, lambda: 4.25, minutes: 20, steps: 100000, batch: 128, layers: 8, hidden: 16, lr: 1e-3, flowSteps: 20000, hmcSweeps: 40000, seed: 1 };
for (const a of process.argv.slice(2)) {
  const [k, v] = a.split("=");
  if (!(k in arg)) throw new Error(`unknown argument ${k}`);
  arg[k] = Number(v);
}
ensureBackend();
const system = phi4({ L: arg.L, m2: arg.m2, lambda: arg.lambda });
const t0 = Date.now();
const model = boltzmannGenerator({ flow: convFlow({ L: arg.L, layers: arg.layers, hidden: [arg.hidden, arg.hidden], seed: arg.seed }) });
/** The combined-loss options with HMC data of `sys` (exampleWeight > 0), or none (by energy). */
function byExample(sys: ReturnType<typeof phi4>, seed: number): Record<string, unknown> {
  if (arg.exampleWeight <= 0) return {};
  const data = hmc(sys, { beta: 1, sweeps: arg.dataSweeps, burnIn: 500, thin: 10, keepSamples: true, seed, progress: false });
  return { loss: "combined", data: Float32Array.from(data.samples as Float64Array), dataBatch: arg.batch, weights: { energy: 1, example: arg.exampleWeight } };
}
// the conv flow's parameters do not depend on L: optionally train at a smaller lattice first and start from those weights
let pretrain: Record<string, number> | null = null;
if (arg.pretrainL > 0) {
  const small = boltzmannGenerator({ flow: convFlow({ L: arg.pretrainL, layers: arg.layers, hidden: [arg.hidden, arg.hidden], seed: arg.seed }) });
  const sys0 = phi4({ L: arg.pretrainL, m2: arg.m2, lambda: arg.lambda });
  const p = trainBoltzmannGenerator(small, { system: sys0, beta: 1, steps: arg.steps, batch: arg.batch, lr: arg.lr, minutes: arg.pretrainMinutes, seed: arg.seed + 5, progress: false, clip: 10, energyCut: false, ...byExample(sys0, arg.seed + 6) });
  model.trainableVariables.forEach((v, k) => v.assign(small.trainableVariables[k]));
  pretrain = { L: arg.pretrainL, steps: p.steps, msPerStep: p.msPerStep, seconds: p.elapsedMs / 1000 };
  small.dispose();
}
const tData = Date.now();
const example = byExample(system, arg.seed + 7);
const dataSeconds = (Date.now() - tData) / 1000;
const tr = trainBoltzmannGenerator(model, { system, beta: 1, steps: arg.steps, batch: arg.batch, lr: arg.lr, minutes: arg.minutes, seed: arg.seed + 1, progress: false, clip: 10, energyCut: false, ...example });
const hist = tr.history.toRecords() as { energyLoss: number; essFraction: number }[];
const tail = hist.slice(-50);
const trainSeconds = (Date.now() - t0) / 1000;
const rw = reweight(model, { system, beta: 1, samples: 2048, seed: arg.seed + 2 });
const t1 = Date.now();
const fm = flowMcmc(system, { model, beta: 1, sweeps: arg.flowSteps, burnIn: 100, seed: arg.seed + 3, batchSize: 512 });
const flowSeconds = (Date.now() - t1) / 1000;
const t3 = Date.now();
const fh = flowMcmc(system, { model, beta: 1, sweeps: arg.flowSteps, burnIn: 100, seed: arg.seed + 5, batchSize: 512, hmc: {} });
const flowHmcSeconds = (Date.now() - t3) / 1000;
const t2 = Date.now();
const hm = hmc(system, { beta: 1, sweeps: arg.hmcSweeps, burnIn: 1000, seed: arg.seed + 4 });
const hmcSeconds = (Date.now() - t2) / 1000;
const pick = (r: typeof fm, steps: number) => ({
  acceptance: r.acceptance,
  absMagnetization: { mean: r.stats.absMagnetization.mean, error: r.stats.absMagnetization.error },
  phi2: { mean: r.stats.phi2.mean, error: r.stats.phi2.error },
  tauInt: { absMagnetization: r.stats.absMagnetization.tauInt, action: r.stats.action.tauInt },
  cost: independentSampleCost(r, { observable: "absMagnetization", steps }),
});
const f = pick(fm, arg.flowSteps), h = pick(hm, arg.hmcSweeps);
const fhp = pick(fh, arg.flowSteps);
const sigmaMixed = Math.abs(fhp.absMagnetization.mean - h.absMagnetization.mean) / Math.hypot(fhp.absMagnetization.error, h.absMagnetization.error);
const sigma = Math.abs(f.absMagnetization.mean - h.absMagnetization.mean) / Math.hypot(f.absMagnetization.error, h.absMagnetization.error);
const sigmaPhi2 = Math.abs(f.phi2.mean - h.phi2.mean) / Math.hypot(f.phi2.error, h.phi2.error);
console.log(JSON.stringify({
  system: system.name, args: arg,
  pretrain,
  training: { dataSeconds, steps: tr.steps, msPerStep: tr.msPerStep, seconds: trainSeconds, finalEnergyLoss: tail.reduce((a, r) => a + r.energyLoss, 0) / tail.length, finalEss: tail.reduce((a, r) => a + r.essFraction, 0) / tail.length, essFraction: rw.essFraction },
  flowMcmc: { ...f, seconds: flowSeconds, diagnostics: fm.diagnostics },
  hmc: { ...h, seconds: hmcSeconds, stepSize: hm.diagnostics.stepSize, leapfrogSteps: hm.diagnostics.leapfrogSteps },
  flowHmc: { ...fhp, seconds: flowHmcSeconds, longestRejectionRun: fh.diagnostics.longestRejectionRun },
  absMagnetizationSigma: sigma, phi2Sigma: sigmaPhi2, absMagnetizationSigmaFlowHmc: sigmaMixed,
}, null, 2));
model.dispose();
