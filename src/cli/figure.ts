/**
 * `boltzlab figure`: reproduce a paper's figure (CSV, SVG, PNG and a JSON of
 * provenance), list the figures, run one shard of a figure's points, or merge
 * shards' per-point results into the figure files. The work is
 * `figures.run` (src/figures); this file parses and checks the arguments.
 */
import { isUsageError, UsageError } from "../core/errors";
import { compare, list, run, type CompareResult, type FigureRunOptions, type FigureRunResult } from "../figures/index";
import type { Command } from "./args";

export const figureCommand: Command = {
  name: "figure",
  summary: "reproduce a paper's figure: NAME.csv, NAME.svg, NAME.png and NAME.json (provenance); --list names them with quick and full run times",
  usage:
    "boltzlab figure NAME [--full] [--out DIR] [--seed S] [--shard K/N] [--max-points K] | boltzlab figure NAME --merge DIR... [--out DIR]" +
    " | boltzlab figure NAME --compare [--reference DIR] [--threshold Z] [--full] [--out DIR] [--seed S] | boltzlab figure --list",
  async run(opts, positional) {
    const W = "boltzlab figure";
    const listing = opts.flag("list");
    // parseArgs reads `--list van-2b` as --list with the value "van-2b"
    let listValue: string | null = null;
    if (listing) {
      try {
        listValue = opts.string("list");
      } catch {
        listValue = null;
      }
    }
    const full = opts.flag("full");
    const out = opts.optionalString("out");
    const seed = opts.has("seed") ? opts.integer("seed") : undefined;
    const shard = opts.optionalString("shard");
    const maxPoints = opts.has("max-points") ? opts.integer("max-points") : undefined;
    const mergeFirst = opts.has("merge") ? opts.string("merge") : undefined;
    const comparing = opts.flag("compare");
    const reference = opts.optionalString("reference");
    const threshold = opts.has("threshold") ? opts.number("threshold") : undefined;
    opts.checkUnused();
    if (!comparing && (reference !== undefined || threshold !== undefined)) throw new UsageError(`${W}: ${reference !== undefined ? "--reference" : "--threshold"} needs --compare`);
    if (listing) {
      if (listValue !== null || positional.length > 0 || full || out !== undefined || seed !== undefined || shard !== undefined || mergeFirst !== undefined || maxPoints !== undefined || comparing) {
        throw new UsageError(`${W}: --list takes no figure name or other options`);
      }
      return list();
    }
    const name = positional[0];
    if (name === undefined) throw new UsageError(`${W}: give a figure NAME or --list (figures: ${list().filter((f) => f.available).map((f) => f.name).join(", ")})`);
    const rest = positional.slice(1);
    if (mergeFirst === undefined && rest.length > 0) throw new UsageError(`${W}: unexpected argument${rest.length > 1 ? "s" : ""} ${rest.join(" ")} (one figure NAME per call)`);
    if (comparing) {
      for (const [flag, given] of [["--merge", mergeFirst !== undefined], ["--shard", shard !== undefined], ["--max-points", maxPoints !== undefined]] as const) {
        if (given) throw new UsageError(`${W}: --compare runs the whole figure; do not combine it with ${flag}`);
      }
      const command =
        `boltzlab figure ${name} --compare${reference !== undefined ? ` --reference ${reference}` : ""}${threshold !== undefined ? ` --threshold ${threshold}` : ""}` +
        `${full ? " --full" : ""}${out !== undefined ? ` --out ${out}` : ""}${seed !== undefined ? ` --seed ${seed}` : ""}`;
      const r = await cliCompare(name, {
        full, command,
        ...(reference !== undefined ? { reference } : {}), ...(threshold !== undefined ? { threshold } : {}),
        ...(out !== undefined ? { out } : {}), ...(seed !== undefined ? { seed } : {}),
      });
      const summary = summariseComparison(r);
      if (!r.passed) {
        // the report goes to stdout as for a pass; the failure is the one line on stderr and exit code 1
        process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
        throw new Error(
          r.compared === 0
            ? `${W} ${name} --compare: no value shared with the reference ${r.reference}`
            : `${W} ${name} --compare: ${r.overThreshold} of ${r.compared} shared values deviate by more than ${r.threshold} combined errors (max |z| = ${fmt(r.maxAbsZ)}); see ${r.files.csv}`,
        );
      }
      return summary;
    }
    if (mergeFirst !== undefined) {
      for (const [flag, given] of [["--full", full], ["--seed", seed !== undefined], ["--shard", shard !== undefined], ["--max-points", maxPoints !== undefined]] as const) {
        if (given) throw new UsageError(`${W}: --merge takes the setting and seed from the shards' results; do not combine it with ${flag}`);
      }
      const dirs = [mergeFirst, ...rest];
      const command = `boltzlab figure ${name} --merge ${dirs.join(" ")}${out !== undefined ? ` --out ${out}` : ""}`;
      return summarise(await cliRun(name, { merge: dirs, ...(out !== undefined ? { out } : {}), command }));
    }
    const r = await cliRun(name, {
      full,
      ...(out !== undefined ? { out } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(shard !== undefined ? { shard } : {}),
      ...(maxPoints !== undefined ? { maxPoints } : {}),
      command:
        `boltzlab figure ${name}${full ? " --full" : ""}${out !== undefined ? ` --out ${out}` : ""}${seed !== undefined ? ` --seed ${seed}` : ""}` +
        `${shard !== undefined ? ` --shard ${shard}` : ""}${maxPoints !== undefined ? ` --max-points ${maxPoints}` : ""}`,
    });
    return summarise(r);
  },
};

/** `run`, its usage errors named as the command's (`boltzlab figure: …` instead of `figures.run: …`), options as flags. */
async function cliRun(name: string, options: FigureRunOptions): Promise<FigureRunResult> {
  try {
    return await run(name, options);
  } catch (e) {
    if (isUsageError(e)) {
      const msg = e.message
        .replace(/^figures\.run: /, "boltzlab figure: ")
        .replace(/\bmaxPoints\b/g, "--max-points").replace(/^(boltzlab figure: )(shard|seed|out)\b/, "$1--$2").replace(/\bneeds out\b/, "needs --out");
      throw new UsageError(msg);
    }
    throw e;
  }
}

/** `compare`, its usage errors named as the command's. */
async function cliCompare(name: string, options: Parameters<typeof compare>[1]): Promise<CompareResult> {
  try {
    return await compare(name, options);
  } catch (e) {
    if (isUsageError(e)) throw new UsageError(e.message.replace(/^figures\.compare: /, "boltzlab figure: ").replace(/^(boltzlab figure: )(reference|threshold|seed|out)\b/, "$1--$2"));
    throw e;
  }
}

const fmt = (z: number | null) => (z === null ? "–" : Number.isFinite(z) ? z.toFixed(2) : String(z));

function summariseComparison(r: CompareResult): Record<string, unknown> {
  const zOf = (z: number | null) => (z === null ? null : Number.isFinite(z) ? z : String(z));
  return {
    figure: r.figure,
    passed: r.passed,
    threshold: r.threshold,
    reference: r.reference,
    referenceSetting: r.referenceSetting,
    current: r.current,
    currentSetting: r.currentSetting,
    keys: r.keys,
    compared: r.compared,
    maxAbsZ: zOf(r.maxAbsZ),
    over3: r.over3,
    overThreshold: r.overThreshold,
    onlyInReference: r.onlyInReference,
    onlyInCurrent: r.onlyInCurrent,
    notComparable: r.notComparable,
    // point by point: the shared values (worst first, at most 20 here; all of them in the CSV) and the rows in one run only
    worst: r.worst.map((w) => ({ ...w, z: zOf(w.z) })),
    unmatched: r.rows.filter((x) => x.match === "only in reference" || x.match === "only in current").slice(0, 20),
    files: r.files,
    wallSeconds: r.wallSeconds,
  };
}

function summarise(r: FigureRunResult): Record<string, unknown> {
  return {
    figure: r.figure,
    complete: r.complete,
    files: r.files,
    points: r.points,
    computed: r.computed,
    reused: r.reused,
    missing: r.missing.length,
    headline: r.headline,
    wallSeconds: r.wallSeconds,
  };
}
