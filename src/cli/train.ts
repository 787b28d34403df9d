import fs from "node:fs";
import path from "node:path";
import { estimateVan } from "../estimates/van";
import { made } from "../models/made";
import { pixelcnn } from "../models/pixelcnn";
import { twobo } from "../models/twobo";
import { loadInstance } from "../io/instance";
import { writeTable } from "../io/table";
import { parseSystemSpec } from "../systems/parse";
import type { SpinSystem } from "../systems/types";
import { saveHistory, trainVan } from "../train/van";
import type { Command } from "./args";
import { cheapExact } from "./reference";
import { asUsage, checkCheckpointFile, checkOutDir, need } from "./checks";
import { ensureBackend } from "../core/backend";
import { UsageError } from "../core/errors";
import { configDifference } from "../train/checkpoint";
import { finiteOrNull, printWarnings } from "./warnings";

const MODELS = ["made", "pixelcnn", "twobo"] as const;

export const trainCommand: Command = {
  name: "train",
  summary:
    "train a VAN (MADE, PixelCNN or TwoBo) on a spin system by REINFORCE and print variational and importance-sampled free energies per spin " +
    "(with the exact value where a method applies) as JSON; --out DIR also writes history.csv, checkpoint.json and summary.json (with --format parquet also history.parquet)",
  usage:
    "boltzlab train (--system SPEC | --instance FILE) --beta B --steps T [--batch 1000] [--model made|pixelcnn|twobo] [--depth D] [--width W] [--half-kernel K] " +
    "[--z2] [--z2-method mixture|first-spin] [--residual] [--lr 1e-3] [--schedule constant|cosine] [--lr-min LR/100] [--minutes M] [--checkpoint-every K] [--clip C [--clip-mode clip|normalize]] [--anneal A] [--samples 100000] [--seed 0] [--resume FILE] [--out DIR [--format csv|parquet]]",
  async run(opts) {
    const C = "boltzlab train";
    const spec = opts.optionalString("system");
    const file = opts.optionalString("instance");
    const beta = opts.number("beta");
    const steps = opts.integer("steps");
    const batch = opts.integer("batch", 1000);
    const model = opts.string("model", "made");
    // --depth/--width mean: MADE layers and hidden units per spin (defaults 3, 4);
    // PixelCNN masked convolutions and channels (3, 64, with --half-kernel 6);
    // TwoBo hidden layers and their width (1, 8; depth 0 is the skip-only net).
    const depth = opts.integer("depth", model === "pixelcnn" ? 3 : model === "twobo" ? 1 : 3);
    const width = opts.integer("width", model === "pixelcnn" ? 64 : model === "twobo" ? 8 : 4);
    const halfKernel = opts.integer("half-kernel", 6);
    const z2 = opts.flag("z2");
    const z2Method = opts.string("z2-method", "mixture");
    const residual = opts.flag("residual");
    const lr = opts.number("lr", 1e-3);
    const schedule = opts.string("schedule", "constant");
    const lrMin = opts.has("lr-min") ? opts.number("lr-min") : undefined;
    const minutes = opts.has("minutes") ? opts.number("minutes") : undefined;
    const checkpointEvery = opts.has("checkpoint-every") ? opts.integer("checkpoint-every") : undefined;
    const clip = opts.has("clip") ? opts.number("clip") : null;
    const clipMode = opts.string("clip-mode", "clip");
    const anneal = opts.has("anneal") ? opts.number("anneal") : null;
    const samples = opts.integer("samples", 100000);
    const seed = opts.integer("seed", 0);
    const resume = opts.optionalString("resume");
    const out = opts.optionalString("out");
    const format = opts.string("format", "csv");
    opts.checkUnused();
    // Everything is checked here, before the system or model is built and before TensorFlow loads.
    need((spec === undefined) !== (file === undefined), `${C}: exactly one of --system or --instance is required`);
    need((MODELS as readonly string[]).includes(model), `${C}: --model must be one of ${MODELS.join(", ")}, got "${model}"`);
    need(schedule === "constant" || schedule === "cosine", `${C}: --schedule must be constant or cosine, got "${schedule}"`);
    need(beta > 0, `${C}: --beta must be > 0, got ${beta}`);
    need(steps >= 1, `${C}: --steps must be ≥ 1, got ${steps}`);
    need(batch >= 2, `${C}: --batch must be ≥ 2 (the REINFORCE baseline needs two samples), got ${batch}`);
    need(lr > 0, `${C}: --lr must be > 0, got ${lr}`);
    if (lrMin !== undefined) need(lrMin > 0 && lrMin <= lr, `${C}: --lr-min must be in (0, --lr = ${lr}], got ${lrMin}`);
    if (minutes !== undefined) need(minutes > 0, `${C}: --minutes must be > 0, got ${minutes}`);
    if (checkpointEvery !== undefined) need(checkpointEvery >= 1, `${C}: --checkpoint-every must be ≥ 1, got ${checkpointEvery}`);
    need(checkpointEvery === undefined || out !== undefined, `${C}: --checkpoint-every needs --out DIR`);
    if (clip !== null) need(clip > 0, `${C}: --clip must be > 0, got ${clip}`);
    need(clipMode === "clip" || clipMode === "normalize", `${C}: --clip-mode must be clip or normalize, got "${clipMode}"`);
    need(clipMode === "clip" || clip !== null, `${C}: --clip-mode normalize needs --clip C (the norm to normalise to)`);
    if (anneal !== null) need(anneal > 0 && anneal < 1, `${C}: --anneal must be in (0, 1), got ${anneal}`);
    need(samples >= 2, `${C}: --samples must be ≥ 2 (the estimates' error bars need two samples), got ${samples}`);
    need(seed >= 0, `${C}: --seed must be ≥ 0, got ${seed}`);
    need(model === "pixelcnn" || !opts.has("half-kernel"), `${C}: --half-kernel applies to --model pixelcnn only`);
    need(z2Method === "mixture" || z2Method === "first-spin", `${C}: --z2-method must be mixture or first-spin, got "${z2Method}"`);
    need(!opts.has("z2-method") || (model === "pixelcnn" && z2), `${C}: --z2-method applies to --model pixelcnn with --z2`);
    need(model !== "twobo" || !residual, `${C}: --residual applies to --model made or pixelcnn only`);
    need(format === "csv" || format === "parquet", `${C}: --format must be csv or parquet, got "${format}"`);
    need(!opts.has("format") || out !== undefined, `${C}: --format needs --out DIR`);
    if (out !== undefined) checkOutDir(out, C);
    const resumed = resume === undefined ? null : checkCheckpointFile(resume, C, "--resume");
    const system = spec !== undefined ? asUsage(`${C}: --system ${spec}`, () => parseSystemSpec(spec)) : asUsage(`${C}: --instance ${file}`, () => loadInstance(file as string));
    if (resumed !== null) {
      const held = resumed.config;
      need(held === null || held.type === model, `${C}: --resume ${resume} holds a ${String(held?.type)} model, not --model ${model}`);
      need(held === null || held.size === system.n, `${C}: --resume ${resume} holds a model of ${String(held?.size)} spins, the system ${system.name} has ${system.n}`);
      const sys = resumed.meta.system;
      need(typeof sys !== "string" || sys === system.name, `${C}: --resume ${resume} was trained on system "${String(sys)}", not "${system.name}"`);
      // --steps and --minutes are the run's totals, so the checkpoint must not be past them
      const state = resumed.meta.state as { step?: unknown; elapsedMs?: unknown } | undefined;
      const at = typeof state?.step === "number" ? state.step : resumed.meta.step;
      need(typeof at !== "number" || at < steps, `${C}: --steps (${steps}) is the total and --resume ${resume} is already at step ${String(at)}: nothing to do (give --steps > ${String(at)})`);
      const used = state?.elapsedMs;
      need(minutes === undefined || typeof used !== "number" || used < minutes * 60000, `${C}: --minutes (${minutes}) is the total and --resume ${resume} has already used ${(Number(used) / 60000).toFixed(3)} of them: nothing to do (give a larger --minutes)`);
    }
    ensureBackend(); // outside asUsage: a backend that fails to load is a failure, not a usage error
    const m = asUsage(`${C}: --model ${model}`, () =>
      model === "pixelcnn"
        ? pixelcnn({ system, depth, width, halfKernel, z2, z2Method: z2Method as "mixture" | "first-spin", residual, seed })
        : model === "twobo"
          ? twobo({ system, beta, hidden: new Array<number>(Math.max(0, depth)).fill(width), z2, seed })
          : made({ size: system.n, depth, width, z2, residual, seed }),
    );
    if (resumed !== null && resumed.config !== null) {
      const diff = configDifference(resumed.config, m.config());
      if (diff.length > 0) {
        m.dispose();
        throw new UsageError(`${C}: --resume ${resume} holds a model that differs from the one asked for in ${diff.map((k) => `${k} (${String(resumed.config?.[k])} vs ${String(m.config()[k])})`).join(", ")}`);
      }
    }
    try {
      const r = trainVan({
        model: m,
        system,
        beta,
        steps,
        batch,
        lr,
        schedule: schedule as "constant" | "cosine",
        lrMin,
        minutes,
        checkpointEvery,
        clip,
        ...(clipMode === "normalize" ? { clipMode: "normalize" as const } : {}),
        anneal,
        seed: seed + 1,
        resume,
        checkpoint: out === undefined ? undefined : path.join(out, "checkpoint.json"),
      });
      const est = estimateVan({ model: m, system, beta, samples, batch, seed: seed + 2 });
      const ex = cheapExact(system, beta, 26);
      const summary = {
        system: system.name,
        n: system.n,
        beta,
        model: m.config(),
        parameters: m.parameterCount(),
        steps: r.steps,
        minutes: r.rows.length > 0 ? r.rows[r.rows.length - 1].wallTime / 60 : 0,
        batch,
        samples,
        fVariational: { mean: est.fVariational.mean, error: est.fVariational.error },
        fImportance: { mean: est.fImportance.mean, error: est.fImportance.error },
        fExact: ex === null ? null : ex.f,
        exactMethod: ex === null ? null : ex.method,
        relativeErrorVariational: ex === null ? null : (est.fVariational.mean - ex.f) / Math.abs(ex.f),
        importanceDeviationInErrors: ex === null ? null : (est.fImportance.mean - ex.f) / est.fImportance.error,
        essFraction: est.essFraction,
        paretoK: finiteOrNull(est.paretoK),
        warnings: est.warnings,
        // per spin: energy/entropy reweighted to Boltzmann, energyModel/entropyModel under q (the older keys below say the same)
        energy: { mean: est.energy.mean, error: est.energy.error },
        energyModel: { mean: est.energyModel.mean, error: est.energyModel.error },
        entropy: { mean: est.entropy.mean, error: est.entropy.error },
        entropyModel: { mean: est.entropyModel.mean, error: est.entropyModel.error },
        energyPerSpin: est.energyModel.mean,
        energyPerSpinReweighted: est.energy.mean,
        energyExact: ex === null ? null : ex.e,
        entropyPerSpin: est.entropyModel.mean,
        entropyPerSpinReweighted: est.entropy.mean,
        entropyExact: ex === null ? null : ex.s,
        absMagnetization: est.observablesModel.absMagnetizationPerSpin.mean,
        msPerStep: r.msPerStep,
        samplesPerSecond: r.samplesPerSecond,
        checkpoint: r.checkpoint,
      };
      printWarnings(C, est.warnings);
      if (out !== undefined) {
        fs.mkdirSync(out, { recursive: true });
        saveHistory(r.history, path.join(out, "history.csv"));
        if (format === "parquet") writeTable(r.history, path.join(out, "history.parquet"));
        fs.writeFileSync(path.join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
      }
      return summary;
    } finally {
      m.dispose();
    }
  },
};
