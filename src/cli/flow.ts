/**
 * `boltzlab flow`: train a Boltzmann generator on a continuous system (by
 * energy, by example on MCMC data, or both), reweight its samples and compare
 * the free-energy difference between the wells with quadrature.
 */
import fs from "node:fs";
import path from "node:path";
import { boltzmannGenerator } from "../bg/generator";
import { reweight, wellFreeEnergy } from "../bg/reweight";
import { trainBoltzmannGenerator, type LossKind } from "../bg/train";
import { ensureBackend } from "../core/backend";
import { Rng } from "../core/random";
import { checkOneOf } from "../core/validate";
import { quadratureLogZ, wellFreeEnergyDifference } from "../exact/quadrature";
import { realNVP } from "../flows/composite";
import { splineFlow } from "../flows/transformCoupling";
import { continuousMetropolis } from "../samplers/continuous";
import { doubleWell } from "../systems/continuous/quartic";
import { writeTable } from "../io/table";
import type { Command } from "./args";
import { asUsage, checkOutDir, need } from "./checks";
import { FLOW_DIMER_USAGE, flowDimer } from "./flowDimer";
import { finiteOrNull, printWarnings } from "./warnings";
import { FLOW_PHI4_USAGE, flowPhi4 } from "./flowPhi4";
import { isPhi4Spec } from "../systems/continuous/phi4";

export const flowCommand: Command = {
  name: "flow",
  summary: "train a Boltzmann generator (by energy, by example or combined) and report ESS and ΔF between the wells against quadrature; φ⁴ (conv flow + flow MCMC) and the dimer in solvent (against umbrella sampling)",
  usage:
    "boltzlab flow --system doublewell [--dim 2] [--beta 1] [--loss energy|example|combined] [--steps 1000] [--seed 0] " +
    "[--layers 4] [--hidden 64,64] [--coupling affine|spline] [--batch 512] [--lr 0.001] [--samples 200000] [--start both|left|right] [--out DIR [--format csv|parquet]]\n       " + FLOW_PHI4_USAGE + "\n       " + FLOW_DIMER_USAGE,
  async run(opts) {
    const where = "boltzlab flow";
    if (opts.optionalString("system") === "dimer") return flowDimer(opts);
    if (isPhi4Spec(opts.optionalString("system"))) return flowPhi4(opts);
    const systemName = opts.string("system", "doublewell");
    const dim = opts.integer("dim", 2);
    const beta = opts.number("beta", 1);
    const lossName = opts.string("loss", "combined");
    const steps = opts.integer("steps", 1000);
    const seed = opts.integer("seed", 0);
    const layers = opts.integer("layers", 4);
    const hiddenText = opts.string("hidden", "64,64");
    const batch = opts.integer("batch", 512);
    const lr = opts.number("lr", 1e-3);
    const nSamples = opts.integer("samples", 200000);
    const startName = opts.string("start", "both");
    const coupling = asUsage("boltzlab flow", () => checkOneOf(opts.string("coupling", "affine"), ["affine", "spline"] as const, "--coupling", "boltzlab flow"));
    const out = opts.optionalString("out");
    const format = opts.string("format", "csv");
    opts.checkUnused();
    // Everything is checked here, before TensorFlow loads.
    asUsage(where, () => checkOneOf(systemName, ["doublewell"] as const, "--system", where));
    const loss = asUsage(where, () => checkOneOf(lossName, ["energy", "example", "combined"] as const, "--loss", where)) as LossKind;
    const start = asUsage(where, () => checkOneOf(startName, ["both", "left", "right"] as const, "--start", where));
    const hidden = hiddenText.split(",").map((v) => Number(v));
    need(hidden.every((h) => Number.isInteger(h) && h >= 1), `${where}: --hidden must be comma-separated positive integers, got "${hiddenText}"`);
    need(dim >= 1, `${where}: --dim must be ≥ 1, got ${dim}`);
    need(beta > 0, `${where}: --beta must be > 0, got ${beta}`);
    need(steps >= 1, `${where}: --steps must be ≥ 1, got ${steps}`);
    need(layers >= 1, `${where}: --layers must be ≥ 1, got ${layers}`);
    need(batch >= 2, `${where}: --batch must be ≥ 2, got ${batch}`);
    need(lr > 0, `${where}: --lr must be > 0, got ${lr}`);
    need(nSamples >= 2, `${where}: --samples must be ≥ 2 (the estimates' error bars need two samples), got ${nSamples}`);
    need(seed >= 0, `${where}: --seed must be ≥ 0, got ${seed}`);
    need(format === "csv" || format === "parquet", `${where}: --format must be csv or parquet, got "${format}"`);
    need(!opts.has("format") || out !== undefined, `${where}: --format needs --out DIR`);
    if (out !== undefined) checkOutDir(out, where);
    ensureBackend();

    const system = doubleWell({ dim });
    const rng = new Rng(seed);
    // training data: random-walk Metropolis chains, each started in a well (they rarely cross the barrier)
    let data: Float64Array | undefined;
    let mcmcSeconds = 0;
    if (loss !== "energy") {
      const chains = 100;
      const init = new Float64Array(chains * dim);
      for (let c = 0; c < chains; c++) {
        const left = start === "left" || (start === "both" && c < chains / 2);
        init[c * dim] = left ? system.wells.left[0] : system.wells.right[0];
      }
      const mc = continuousMetropolis(system, { beta, sweeps: 2100, burnIn: 100, thin: 10, chains, keepSamples: true, initial: init, stepSize: 0.3 / Math.sqrt(beta), rng });
      data = mc.samples as Float64Array;
      mcmcSeconds = mc.elapsedMs / 1000;
    }
    const flow = coupling === "spline" ? splineFlow({ dim, layers, hidden, rng }) : realNVP({ dim, layers, hidden, rng });
    const model = boltzmannGenerator({ flow });
    try {
      const trained = trainBoltzmannGenerator(model, { system, beta, steps, loss, data, batch, dataBatch: batch, learningRate: lr, rng });
      const rw = reweight(model, { system, beta, samples: nSamples, rng });
      const divide = system.wells.divide;
      const raw = wellFreeEnergy({ x: rw.x, dim, divide });
      const weighted = wellFreeEnergy({ x: rw.x, dim, divide, logWeights: rw.logWeights });
      const exact = wellFreeEnergyDifference(system, { beta });
      const logZ = quadratureLogZ(system, { beta });
      const minorIsRight = exact.fractionRight <= 0.5;
      const minor = (f: number) => (minorIsRight ? f : 1 - f);
      const hist = trained.history.toRecords() as Record<string, number | null>[];
      const last = hist[hist.length - 1];
      const summary = {
        system: system.name,
        beta,
        loss,
        coupling,
        steps,
        seed,
        samples: nSamples,
        essFraction: rw.essFraction,
        paretoK: finiteOrNull(rw.paretoK),
        warnings: rw.warnings,
        deltaF: { mean: weighted.deltaF.mean, error: weighted.deltaF.error },
        deltaFExact: exact.deltaF,
        deltaFModel: raw.deltaF.mean,
        minorWellFraction: {
          well: minorIsRight ? "right" : "left",
          model: minor(raw.fractionRight.mean),
          reweighted: minor(weighted.fractionRight.mean),
          reweightedError: weighted.fractionRight.error,
          exact: minor(exact.fractionRight),
        },
        logZ: { mean: rw.logZ.mean, error: rw.logZ.error, exact: logZ.logZ },
        finalLoss: { energy: last.energyLoss, example: last.exampleLoss },
        msPerStep: trained.msPerStep,
        trainSeconds: trained.elapsedMs / 1000,
        mcmcSeconds,
      };
      printWarnings(where, rw.warnings);
      if (out !== undefined) {
        fs.mkdirSync(out, { recursive: true });
        trained.history.writeCSV(path.join(out, "history.csv"));
        if (format === "parquet") writeTable(trained.history, path.join(out, "history.parquet"));
        fs.writeFileSync(path.join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
      }
      return summary;
    } finally {
      model.dispose();
    }
  },
};
