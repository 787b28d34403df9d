/**
 * What every workshop checker returns and prints: "NAME: correct (…)" or
 * "NAME: hint — …" naming the input, the expected and the received value.
 * A checker never throws because of the student's function: a function that
 * throws, returns the wrong type or is missing becomes a hint.
 */
import { checkKeys } from "../core/validate";

export interface CheckResult {
  /** The exercise checked, e.g. "acceptance". */
  readonly name: string;
  /** True when the function agrees with boltzlab's own on every input tried. */
  readonly ok: boolean;
  /** What to look at (null when ok). */
  readonly hint: string | null;
  /** The line printed: "NAME: correct (…)" or "NAME: hint — …". */
  readonly message: string;
}

export interface CheckOptions {
  /** Print the message (default true; tests turn it off). */
  print?: boolean;
  /** Seed of the random inputs (default: each checker's own fixed seed). */
  seed?: number;
}

/** Read a checker's options (a wrong option is the notebook author's mistake: it throws). */
export function readCheckOptions(options: CheckOptions | undefined, where: string): { print: boolean; seed: number | undefined } {
  if (options === undefined) return { print: true, seed: undefined };
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, ["print", "seed"], where);
  if (options.print !== undefined && typeof options.print !== "boolean") throw new Error(`${where}: print must be true or false`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new Error(`${where}: seed must be an integer`);
  return { print: options.print ?? true, seed: options.seed };
}

/** Thrown inside a checker to stop at the first problem found; turned into a hint by `runCheck`. */
export class Hint extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Hint";
  }
}

/**
 * Run the body of a checker: it returns the "correct" detail or throws a
 * `Hint`; any other exception escaping the body (the student's function threw
 * somewhere unforeseen) becomes a hint too. Prints the message when asked.
 */
export function runCheck(name: string, print: boolean, body: () => string): CheckResult {
  let result: CheckResult;
  try {
    const detail = body();
    result = { name, ok: true, hint: null, message: `${name}: correct (${detail})` };
  } catch (e) {
    const hint = e instanceof Hint ? e.message : `your function failed: ${errorText(e)}`;
    result = { name, ok: false, hint, message: `${name}: hint — ${hint}` };
  }
  if (print) console.log(result.message);
  return result;
}

/** The first line of an exception, for a hint. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name === "Error" ? "" : e.name + ": "}${e.message}` : String(e);
  return text.split("\n")[0];
}

/** Call the student's function; a throw becomes a Hint saying where. */
export function callStudent<T>(f: () => T, call: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Hint) throw e;
    throw new Hint(`${call} threw ${errorText(e)}`);
  }
}

/** A number for a hint: 4 significant digits, a real minus sign. */
export function fmt(x: unknown): string {
  if (typeof x !== "number") return describe(x);
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
  return s.replace("-", "−");
}

/** What a value is, in words, for a hint about a wrong return type. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined (did the function return anything?)";
  if (typeof x === "number") return fmt(x);
  if (typeof x === "boolean") return `the boolean ${x}`;
  if (typeof x === "string") return `the string "${x.slice(0, 30)}"`;
  if (typeof x === "function") return "a function";
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return `an object (${Object.prototype.toString.call(x).slice(8, -1)})`;
}

/** |a − b| within a relative tolerance (absolute near 0). */
export function close(a: number, b: number, rtol = 1e-6, atol = 1e-9): boolean {
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}
