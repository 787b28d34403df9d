/**
 * `Stats` as a value: derived estimates by an affine map of the estimate
 * (a·X + b: per-spin values, unit changes, sign flips) without rebuilding the
 * fields by hand, and a one-line text form for notebooks and logs.
 *
 * Under X → a·X + b the mean maps the same way, the standard error and the
 * per-sample standard deviation scale by |a|, and τ_int, n and R̂ (properties
 * of the series, not of its units) are unchanged.
 */
import { checkInteger, checkKeys, checkNumber } from "../core/validate";
import type { Stats } from "./types";

function checkStats(s: Stats, where: string): void {
  if (s === null || typeof s !== "object" || typeof s.mean !== "number" || typeof s.error !== "number") {
    throw new Error(`${where}: s must be a Stats ({mean, error, variance, n})`);
  }
}

/** Copy the series properties (τ_int, R̂) that an affine map keeps. */
function withSeriesFields(out: Stats, s: Stats): Stats {
  if (s.tauInt !== undefined) out.tauInt = s.tauInt;
  if (s.rHat !== undefined) out.rHat = s.rHat;
  return out;
}

/** The estimate of a·X from that of X: mean·a, error·|a|, variance·a². */
export function scaleStats(s: Stats, a: number): Stats {
  const where = "scaleStats";
  checkStats(s, where);
  checkNumber(a, "a", where);
  return withSeriesFields({ mean: s.mean * a, error: s.error * Math.abs(a), variance: s.variance * a * a, n: s.n }, s);
}

/** The estimate of X + b from that of X (the error is unchanged). */
export function shiftStats(s: Stats, b: number): Stats {
  const where = "shiftStats";
  checkStats(s, where);
  checkNumber(b, "b", where);
  return withSeriesFields({ mean: s.mean + b, error: s.error, variance: s.variance, n: s.n }, s);
}

export interface FormatStatsOptions {
  /**
   * Significant digits of the error (default: 2 when its leading digit is 1,
   * else 1); the mean is rounded to the same decimal place.
   */
  errorDigits?: number;
  /** Append "(τ=…, n=…, R̂=…)" (default true). */
  details?: boolean;
}

const MINUS = "\u2212";

function signed(text: string): string {
  return text.startsWith("-") ? MINUS + text.slice(1) : text;
}

function plain(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : `${MINUS}∞`;
  return signed(String(Number(v.toPrecision(6))));
}

/**
 * "−2.1143 ± 0.0004 (τ=1.3, n=1000)": the mean rounded to the decimal place of
 * the error's last significant digit; τ_int and R̂ appear when present. An
 * error of 0 prints the mean with 6 significant digits and "± 0"; a
 * non-finite error prints as ∞ or NaN.
 */
export function formatStats(s: Stats, options: FormatStatsOptions = {}): string {
  const where = "formatStats";
  checkStats(s, where);
  checkKeys(options, ["errorDigits", "details"], where);
  let text: string;
  const e = s.error;
  if (!Number.isFinite(e) || e <= 0 || !Number.isFinite(s.mean)) {
    text = `${plain(s.mean)} ± ${e === 0 ? "0" : plain(e)}`;
  } else {
    const lead = Math.floor(Math.log10(e));
    const firstDigit = Math.floor(e / 10 ** lead);
    const digits = options.errorDigits === undefined ? (firstDigit === 1 ? 2 : 1) : checkInteger(options.errorDigits, "errorDigits", where, { min: 1, max: 6 });
    let place = lead - digits + 1; // 10^place is the last digit shown
    // rounding may carry the error into the next decade (0.096 → 0.1)
    const rounded = Math.round(e / 10 ** place) * 10 ** place;
    if (Math.floor(Math.log10(rounded) + 1e-12) > lead) place += 1;
    const decimals = Math.max(0, -place);
    const q = 10 ** place;
    const fmt = (v: number) => (decimals > 0 ? v.toFixed(decimals) : String(Math.round(v / q) * q));
    const m = Math.abs(Math.round(s.mean / q) * q) === 0 ? 0 : s.mean;
    text = `${signed(fmt(m))} ± ${fmt(Math.round(e / q) * q)}`;
  }
  if (options.details === false) return text;
  const parts: string[] = [];
  if (s.tauInt !== undefined) parts.push(`τ=${Number(s.tauInt.toPrecision(2))}`);
  parts.push(`n=${s.n}`);
  if (s.rHat !== undefined) parts.push(`R̂=${s.rHat.toFixed(3)}`);
  return `${text} (${parts.join(", ")})`;
}
