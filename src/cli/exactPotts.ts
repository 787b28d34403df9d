/**
 * `boltzlab exact --system potts:...|pottsglass:...|xy:...|xychain:...`:
 * exact ln Z and free energy per site, energy, entropy, specific heat and
 * (Potts enumeration) the order parameter, as JSON. Potts methods: enumerate
 * (q^N ≤ 1.5·10⁸), transfer-matrix (2-D grid strips); XY: chain (open chains
 * and rings, h = 0, Bessel formulas) and quadrature (≤ 3 sites). For the
 * square Potts ferromagnet the output also carries β_c = ln(1 + √q) and the
 * critical energy per site −(1 + 1/√q) (J = 1 units).
 */
import { pottsApplicableMethods, pottsCriticalBeta, pottsCriticalEnergy, pottsExact, POTTS_EXACT_METHODS, type PottsExactMethod } from "../exact/potts";
import { xyApplicableMethods, xyExact, XY_EXACT_METHODS, type XYExactMethod } from "../exact/xy";
import { parseAnySystemSpec } from "../systems/parseMulti";
import type { PottsSystem, XYSystem } from "../systems/types";
import type { Options } from "./args";
import { asUsage, need } from "./checks";

export const POTTS_EXACT_USAGE = `boltzlab exact --system potts:..|pottsglass:..|xy:..|xychain:.. --beta B [--method auto|${POTTS_EXACT_METHODS.join("|")} (Potts) | auto|${XY_EXACT_METHODS.join("|")} (XY)]`;

/** Runs `boltzlab exact` for a Potts or XY --system (the spec is already read). */
export function exactPotts(opts: Options, spec: string): Record<string, unknown> {
  const C = "boltzlab exact";
  const beta = opts.number("beta");
  const method = opts.string("method", "auto");
  opts.checkUnused();
  need(beta > 0, `${C}: --beta must be > 0, got ${beta}`);
  const system = asUsage(`${C}: --system ${spec}`, () => parseAnySystemSpec(spec)) as PottsSystem | XYSystem;
  const t0 = performance.now();
  if (system.kind === "potts") {
    need(method === "auto" || (POTTS_EXACT_METHODS as readonly string[]).includes(method), `${C}: --method must be one of auto, ${POTTS_EXACT_METHODS.join(", ")} for Potts systems, got "${method}"`);
    const ok = pottsApplicableMethods(system, beta);
    if (method !== "auto") need(ok[method as PottsExactMethod] === null, `${C}: --method ${method} does not apply to ${system.name}: ${String(ok[method as PottsExactMethod])}`);
    else need(ok.enumerate === null || ok["transfer-matrix"] === null, `${C}: no exact method applies to --system ${system.name} (enumerate: ${ok.enumerate}; transfer-matrix: ${ok["transfer-matrix"]})`);
    const r = pottsExact(system, beta, { method: method as PottsExactMethod | "auto", ...(method !== "transfer-matrix" ? { probabilities: false } : {}) });
    const square = system.geometry !== null && system.geometry.grid.length === 2 && system.edges.J.every((v) => v === 1) && system.fields === null;
    return {
      method: r.method,
      system: system.name,
      n: r.n,
      q: system.q,
      beta: r.beta,
      logZ: r.logZ,
      freeEnergyPerSpin: r.freeEnergyPerSpin,
      energyPerSpin: r.energyPerSpin,
      entropyPerSpin: r.entropyPerSpin,
      specificHeatPerSpin: r.specificHeatPerSpin,
      orderParameter: r.orderParameter,
      ...(square ? { criticalBeta: pottsCriticalBeta(system.q), criticalEnergyPerSpin: pottsCriticalEnergy(system.q) } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
  }
  need(method === "auto" || (XY_EXACT_METHODS as readonly string[]).includes(method), `${C}: --method must be one of auto, ${XY_EXACT_METHODS.join(", ")} for XY systems, got "${method}"`);
  const ok = xyApplicableMethods(system);
  if (method !== "auto") need(ok[method as XYExactMethod] === null, `${C}: --method ${method} does not apply to ${system.name}: ${String(ok[method as XYExactMethod])}`);
  else need(ok.chain === null || ok.quadrature === null, `${C}: no exact method applies to --system ${system.name} (chain: ${ok.chain}; quadrature: ${ok.quadrature})`);
  const r = xyExact(system, beta, { method: method as XYExactMethod | "auto" });
  return {
    method: r.method,
    system: system.name,
    n: r.n,
    beta: r.beta,
    logZ: r.logZ,
    freeEnergyPerSpin: r.freeEnergyPerSpin,
    energyPerSpin: r.energyPerSpin,
    entropyPerSpin: r.entropyPerSpin,
    specificHeatPerSpin: r.specificHeatPerSpin,
    absMagnetizationPerSpin: r.absMagnetizationPerSpin,
    seconds: (performance.now() - t0) / 1000,
  };
}
