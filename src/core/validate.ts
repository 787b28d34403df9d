/** Argument checks that name the argument and the function in their Error. */

export interface RangeOptions {
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return String(v);
}

/** Throws unless `v` is a finite number within the bounds. */
export function checkNumber(v: unknown, name: string, where: string, r: RangeOptions = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`${where}: ${name} must be a finite number, got ${describe(v)}`);
  }
  if (r.min !== undefined && v < r.min) throw new Error(`${where}: ${name} must be ≥ ${r.min}, got ${v}`);
  if (r.max !== undefined && v > r.max) throw new Error(`${where}: ${name} must be ≤ ${r.max}, got ${v}`);
  if (r.above !== undefined && !(v > r.above)) throw new Error(`${where}: ${name} must be > ${r.above}, got ${v}`);
  return v;
}

/** Throws unless `v` is an integer within the bounds. */
export function checkInteger(v: unknown, name: string, where: string, r: RangeOptions = {}): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new Error(`${where}: ${name} must be an integer, got ${describe(v)}`);
  }
  return checkNumber(v, name, where, r);
}

/** Throws unless `v` is a positive (> 0) finite number, e.g. an inverse temperature. */
export function checkPositive(v: unknown, name: string, where: string): number {
  return checkNumber(v, name, where, { above: 0 });
}

/** Throws unless `v` is true or false. */
export function checkBoolean(v: unknown, name: string, where: string): boolean {
  if (typeof v !== "boolean") throw new Error(`${where}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** Throws unless `v` is one of the allowed strings. */
export function checkOneOf<T extends string>(v: unknown, allowed: readonly T[], name: string, where: string): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${where}: ${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describe(v)}`);
  }
  return v as T;
}

/** Throws if `options` has keys outside `known` (catches typos in option names). */
export function checkKeys(options: object | undefined, known: readonly string[], where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new Error(`${where}: options must be an object, got ${describe(options)}`);
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new Error(`${where}: unknown option "${k}" (known: ${known.join(", ")})`);
    }
  }
}
