/**
 * Spec strings for every system kind: the spin families of `parseSystemSpec`
 * plus the Potts and XY families
 *
 *   potts:L=16,q=3,boundary=periodic|open,J=1,h=0,cols=..
 *   pottsglass:L=8,q=3,seed=0,boundary=periodic|open,couplings=pm|gauss
 *   xy:L=16,boundary=periodic|open,J=1,h=0,cols=..
 *   xychain:n=16,boundary=open|periodic,J=1,h=0
 *
 * Omitted seeds are 0, so a spec string always names one instance.
 * `parseSystemSpec` (spin systems only) keeps its type; callers that accept
 * any kind use `parseAnySystemSpec` and switch on `system.kind`.
 */
import { parseSpecOptions, parseSystemSpec, SYSTEM_FAMILIES } from "./parse";
import { pottsGlass, pottsSquare, type SparsePottsSystem } from "./potts";
import type { SparseSpinSystem } from "./spin";
import { xyChain, xySquare, type SparseXYSystem } from "./xy";

type Built = SparsePottsSystem | SparseXYSystem;
type Opts = Record<string, string | number>;

const num = (o: Opts, k: string): number | undefined => o[k] as number | undefined;
const str = <T extends string>(o: Opts, k: string): T | undefined => o[k] as T | undefined;

const FAMILIES: Record<string, { keys: string[]; numeric: string[]; build: (o: Opts) => Built }> = {
  potts: {
    keys: ["L", "cols", "q", "boundary", "J", "h"],
    numeric: ["L", "cols", "q", "J", "h"],
    build: (o) => pottsSquare({ L: num(o, "L") as number, cols: num(o, "cols"), q: num(o, "q") as number, boundary: str(o, "boundary"), J: num(o, "J"), h: num(o, "h") }),
  },
  pottsglass: {
    keys: ["L", "q", "seed", "boundary", "couplings"],
    numeric: ["L", "q", "seed"],
    build: (o) => pottsGlass({ L: num(o, "L") as number, q: num(o, "q") as number, seed: num(o, "seed") ?? 0, boundary: str(o, "boundary"), couplings: str(o, "couplings") }),
  },
  xy: {
    keys: ["L", "cols", "boundary", "J", "h"],
    numeric: ["L", "cols", "J", "h"],
    build: (o) => xySquare({ L: num(o, "L") as number, cols: num(o, "cols"), boundary: str(o, "boundary"), J: num(o, "J"), h: num(o, "h") }),
  },
  xychain: {
    keys: ["n", "boundary", "J", "h"],
    numeric: ["n", "J", "h"],
    build: (o) => xyChain({ n: num(o, "n") as number, boundary: str(o, "boundary"), J: num(o, "J"), h: num(o, "h") }),
  },
};

/** The Potts and XY families `parseAnySystemSpec` adds to `SYSTEM_FAMILIES`. */
export const MULTI_SYSTEM_FAMILIES = Object.keys(FAMILIES);

/** Every family `parseAnySystemSpec` knows. */
export const ALL_SYSTEM_FAMILIES = [...SYSTEM_FAMILIES, ...MULTI_SYSTEM_FAMILIES];

/** Which kind of system a spec string names ("spin", "potts" or "xy"), without building it; null for an unknown family. */
export function specKind(spec: string): "spin" | "potts" | "xy" | null {
  if (typeof spec !== "string") return null;
  const colon = spec.indexOf(":");
  const family = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (family === "potts" || family === "pottsglass") return "potts";
  if (family === "xy" || family === "xychain") return "xy";
  return SYSTEM_FAMILIES.includes(family) ? "spin" : null;
}

/**
 * Builds a spin, Potts or XY system from a spec string (see the module doc);
 * spin families go to `parseSystemSpec`. Errors start with
 * "parseAnySystemSpec" (or "parseSystemSpec" for spin families) and name the key.
 */
export function parseAnySystemSpec(spec: string): SparseSpinSystem | SparsePottsSystem | SparseXYSystem {
  const W = "parseAnySystemSpec";
  if (typeof spec !== "string" || spec.trim() === "") throw new Error(`${W}: spec must be a string like "potts:L=16,q=3,boundary=periodic"`);
  const colon = spec.indexOf(":");
  const family = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const fam = FAMILIES[family];
  if (fam === undefined) {
    if (SYSTEM_FAMILIES.includes(family)) return parseSystemSpec(spec);
    throw new Error(`${W}: unknown system family "${family}" in "${spec}" (known: ${ALL_SYSTEM_FAMILIES.join(", ")})`);
  }
  const o: Opts = parseSpecOptions(spec, family, fam, W);
  try {
    return fam.build(o);
  } catch (e) {
    throw new Error(`${W}("${spec}"): ${(e as Error).message}`);
  }
}
