/**
 * `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose
 * file name contains a NAME) and prints one JSON document. Each bench module
 * exports `run(ctx)` returning a JSON-serialisable object of measurements.
 * Speed and memory figures live here, never in timed tests.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { backendInfo } from "../src/core/backend";

export interface BenchContext {
  /** BOLTZLAB_FAST=1: smaller sizes, for a smoke run. */
  fast: boolean;
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const fast = process.env.BOLTZLAB_FAST === "1";
  process.env.BOLTZLAB_PROGRESS ??= "0";
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => names.length === 0 || names.some((n) => f.includes(n)))
    .sort();
  const b = backendInfo();
  const results: Record<string, unknown> = {};
  for (const f of files) {
    const mod = (await import(path.join(__dirname, f))) as { run: (ctx: BenchContext) => Promise<unknown> };
    const key = f.replace(/\.bench\.ts$/, "");
    process.stderr.write(`[bench] ${key}\n`);
    const t0 = Date.now();
    try {
      results[key] = await mod.run({ fast });
    } catch (e) {
      results[key] = { error: (e as Error).message };
    }
    process.stderr.write(`[bench] ${key} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", memGiB: Math.round(os.totalmem() / 2 ** 30) },
    backend: b.name,
    threads: b.threads,
    fast,
    results,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
}

void main();
