/**
 * `npm run test:full` (BOLTZLAB_FULL_RUN=1): the notebook tests execute each
 * notebook in its default (full) setting. `npm run test:full -- 04 09` runs
 * only the notebooks whose name starts with one of the patterns
 * (BOLTZLAB_NOTEBOOKS, comma-separated; `workshop/` selects the workshop
 * track, its solutions included). Each finished notebook's wall time is
 * merged into test/.out/full-times.json, so a long run can be done in parts.
 */
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");

export const fullRun = process.env.BOLTZLAB_FULL_RUN === "1";
export const fullTimesFile = path.join(root, "test", ".out", "full-times.json");

/** Whether the notebook `name` (e.g. "04-van-ising-2d.ipynb", "workshop/01-metropolis.ipynb") is selected by BOLTZLAB_NOTEBOOKS. */
export function selected(name: string): boolean {
  const patterns = (process.env.BOLTZLAB_NOTEBOOKS ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
  return patterns.length === 0 || patterns.some((p) => name.startsWith(p));
}

export interface FullTime { seconds: number; finished: string; cells: number }

/** Merge one notebook's full-setting wall time into test/.out/full-times.json (written atomically). */
export function recordFullTime(name: string, seconds: number, cells: number): void {
  let times: Record<string, FullTime> = {};
  try {
    const old = JSON.parse(fs.readFileSync(fullTimesFile, "utf8")) as Record<string, unknown>;
    for (const [k, v] of Object.entries(old)) if (typeof v === "object" && v !== null && typeof (v as FullTime).seconds === "number") times[k] = v as FullTime;
  } catch {
    times = {};
  }
  times[name] = { seconds: seconds, finished: new Date().toISOString(), cells: cells };
  const sorted = Object.fromEntries(Object.entries(times).sort(([a], [b]) => a.localeCompare(b)));
  fs.mkdirSync(path.dirname(fullTimesFile), { recursive: true });
  const tmp = `${fullTimesFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(sorted, null, 2) + "\n");
  fs.renameSync(tmp, fullTimesFile);
}
