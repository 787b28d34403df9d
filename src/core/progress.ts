/**
 * A progress bar for long loops: updates in place in a notebook (tslab display
 * updates) and on a terminal (carriage return), with rate and ETA. Off when
 * `BOLTZLAB_PROGRESS=0`, when asked, or when stderr is not a terminal outside
 * a notebook (so logs stay clean).
 *
 * In a notebook, a loop that never yields to the event loop cannot get its
 * output to the front end until it does (see core/notebook.ts: such sends are
 * queued), so after `BLOCKED_DRAWS` redraws without an event-loop turn the bar
 * redraws only every `BLOCKED_INTERVAL_MS`: an hour-long synchronous cell sends
 * about a thousand updates, not fourteen thousand. A bar that fails to draw
 * switches itself off with one line on stderr; it never stops the computation.
 */
import { displayBundle, inNotebook, newDisplayId } from "./notebook";

export interface ProgressOptions {
  /** Total number of steps. */
  total: number;
  /** Label shown before the bar. */
  label?: string;
  /** true/false forces the bar on/off; undefined = automatic. */
  enabled?: boolean;
  /** Minimum milliseconds between redraws (default 250). */
  intervalMs?: number;
}

export interface Progress {
  /** Advance by `steps` (default 1), with an optional short status text such as a loss. */
  tick(steps?: number, status?: string): void;
  /** Finish the bar (prints the final state). */
  done(status?: string): void;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** Render the bar as one line of text. */
export function formatProgress(label: string, done: number, total: number, elapsedS: number, status = ""): string {
  const width = 24;
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(frac * width);
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const rateStr = rate >= 100 ? rate.toFixed(0) : rate >= 1 ? rate.toFixed(1) : rate.toFixed(3);
  return (
    `${label ? label + " " : ""}${"█".repeat(full)}${"░".repeat(width - full)} ${done}/${total} ` +
    `[${fmtTime(elapsedS)}<${done >= total ? "0s" : fmtTime(eta)}, ${rateStr} it/s]${status ? " " + status : ""}`
  );
}

/** Redraws allowed between two event-loop turns before the bar slows down. */
const BLOCKED_DRAWS = 100;
/** Redraw interval while the event loop stays blocked past BLOCKED_DRAWS. */
const BLOCKED_INTERVAL_MS = 5000;

export function progress(options: ProgressOptions): Progress {
  const total = options.total;
  const label = options.label ?? "";
  const interval = options.intervalMs ?? 250;
  const notebook = inNotebook();
  const envOff = process.env.BOLTZLAB_PROGRESS === "0";
  const enabled = options.enabled ?? (!envOff && (notebook || process.stderr.isTTY === true));
  const t0 = Date.now();
  let count = 0;
  let last = 0;
  let first = true;
  const id = newDisplayId();
  let finished = false;
  let broken = false;
  // redraws since the event loop last turned (reset by a setImmediate)
  let drawsBlocked = 0;
  let watching = false;
  let atTotal = false;

  const draw = (status: string, final: boolean) => {
    if (broken) return;
    const line = formatProgress(label, count, total, (Date.now() - t0) / 1000, status);
    try {
      if (notebook) {
        displayBundle({ "text/plain": line }, { displayId: id, update: !first });
      } else {
        process.stderr.write(`\r${line}\x1b[K${final ? "\n" : ""}`);
      }
    } catch (e) {
      broken = true;
      process.stderr.write(`boltzlab: progress bar "${label}" switched off: ${(e as Error)?.message ?? String(e)}\n`);
      return;
    }
    first = false;
    drawsBlocked += 1;
    if (!watching) {
      watching = true;
      setImmediate(() => {
        watching = false;
        drawsBlocked = 0;
      });
    }
  };

  return {
    tick(steps = 1, status = "") {
      count += steps;
      if (!enabled || finished) return;
      const now = Date.now();
      const wait = drawsBlocked >= BLOCKED_DRAWS ? Math.max(interval, BLOCKED_INTERVAL_MS) : interval;
      if (now - last >= wait || (count >= total && !atTotal)) {
        atTotal = count >= total;
        last = now;
        draw(status, false);
      }
    },
    done(status = "") {
      if (finished) return;
      finished = true;
      if (enabled) draw(status, true);
    },
  };
}
