/**
 * Systems from short command-line strings, and instance files, for the CLIs:
 *
 *   ising:L=16,boundary=periodic|open,J=1,h=0
 *   sk:n=24,seed=0
 *   ea2d:L=8,seed=0,boundary=periodic|open,couplings=pm|gauss
 *   ea3d:L=4,seed=0,boundary=periodic|open,couplings=pm|gauss
 *   rrg:n=256,d=3,seed=0,couplings=pm|gauss
 *   triangular:L=6,boundary=periodic|open,J=1
 *   cw:n=32,J=1,h=0               (Curie–Weiss)
 *
 * Omitted seeds are 0, so a spec string always names one instance.
 */
import { curieWeiss, ea2d, ea3d, isingSquare, rrg, sk, triangularAF } from "./lattices";
import type { SparseSpinSystem } from "./spin";

const FAMILIES: Record<string, { keys: string[]; numeric: string[]; build: (o: Record<string, string | number>) => SparseSpinSystem }> = {
  ising: {
    keys: ["L", "cols", "boundary", "J", "h"],
    numeric: ["L", "cols", "J", "h"],
    build: (o) => isingSquare({ L: o.L as number, cols: o.cols as number | undefined, boundary: o.boundary as "periodic" | "open" | undefined, J: o.J as number | undefined, h: o.h as number | undefined }),
  },
  sk: { keys: ["n", "seed", "J"], numeric: ["n", "seed", "J"], build: (o) => sk({ n: o.n as number, seed: (o.seed as number | undefined) ?? 0, J: o.J as number | undefined }) },
  ea2d: {
    keys: ["L", "seed", "boundary", "couplings"],
    numeric: ["L", "seed"],
    build: (o) => ea2d({ L: o.L as number, seed: (o.seed as number | undefined) ?? 0, boundary: o.boundary as "periodic" | "open" | undefined, couplings: o.couplings as "pm" | "gauss" | undefined }),
  },
  ea3d: {
    keys: ["L", "seed", "boundary", "couplings"],
    numeric: ["L", "seed"],
    build: (o) => ea3d({ L: o.L as number, seed: (o.seed as number | undefined) ?? 0, boundary: o.boundary as "periodic" | "open" | undefined, couplings: o.couplings as "pm" | "gauss" | undefined }),
  },
  rrg: {
    keys: ["n", "d", "seed", "couplings"],
    numeric: ["n", "d", "seed"],
    build: (o) => rrg({ n: o.n as number, d: o.d as number | undefined, seed: (o.seed as number | undefined) ?? 0, couplings: o.couplings as "pm" | "gauss" | undefined }),
  },
  triangular: {
    keys: ["L", "boundary", "J"],
    numeric: ["L", "J"],
    build: (o) => triangularAF({ L: o.L as number, boundary: o.boundary as "periodic" | "open" | undefined, J: o.J as number | undefined }),
  },
  cw: { keys: ["n", "J", "h"], numeric: ["n", "J", "h"], build: (o) => curieWeiss({ n: o.n as number, J: o.J as number | undefined, h: o.h as number | undefined }) },
};

/** The system families `parseSystemSpec` knows. */
export const SYSTEM_FAMILIES = Object.keys(FAMILIES);

/** Builds a system from a spec string such as `ising:L=16,boundary=open` (see the module doc). */
export function parseSystemSpec(spec: string): SparseSpinSystem {
  const W = "parseSystemSpec";
  if (typeof spec !== "string" || spec.trim() === "") throw new Error(`${W}: spec must be a string like "ising:L=16,boundary=periodic"`);
  const colon = spec.indexOf(":");
  const family = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const fam = FAMILIES[family];
  if (fam === undefined) throw new Error(`${W}: unknown system family "${family}" in "${spec}" (known: ${SYSTEM_FAMILIES.join(", ")})`);
  const o = parseSpecOptions(spec, family, fam, W);
  try {
    return fam.build(o);
  } catch (e) {
    throw new Error(`${W}("${spec}"): ${(e as Error).message}`);
  }
}

/**
 * The key=value options after the family name of a spec string, checked
 * against the family's keys (numbers parsed for its numeric keys); errors
 * start with `where` and name the key. Shared by every spec parser.
 */
export function parseSpecOptions(spec: string, family: string, fam: { keys: string[]; numeric: string[] }, where: string): Record<string, string | number> {
  const W = where;
  const colon = spec.indexOf(":");
  const o: Record<string, string | number> = {};
  const rest = colon < 0 ? "" : spec.slice(colon + 1);
  for (const part of rest.split(",").map((p) => p.trim()).filter((p) => p.length > 0)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`${W}: "${part}" in "${spec}" must be key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!fam.keys.includes(key)) throw new Error(`${W}: unknown key "${key}" for ${family} (known: ${fam.keys.join(", ")})`);
    if (key in o) throw new Error(`${W}: key "${key}" given twice in "${spec}"`);
    if (fam.numeric.includes(key)) {
      const x = Number(value);
      if (value === "" || !Number.isFinite(x)) throw new Error(`${W}: ${key} must be a number in "${spec}", got "${value}"`);
      o[key] = x;
    } else o[key] = value;
  }
  return o;
}
