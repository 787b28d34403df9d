/**
 * Which systems a model can model: ±1 spin models for spin systems, q-state
 * models (`domain: "potts"`, with the system's q) for Potts systems, models of
 * angles (`domain: "angles"`, e.g. xyMade) for XY systems; the sizes must match. A model symmetrised under relabellings of
 * the Potts states is refused for an energy without that symmetry. Shared by
 * the trainer and the estimators.
 */
import type { PottsSystem, SpinSystem, XYSystem } from "../systems/types";
import { checkModelSystem, isSpinModel } from "./spin";
import type { GenerativeModel } from "./types";

/** A system a discrete or angular VAN model can be trained on. */
export type LatticeSystem = SpinSystem | PottsSystem | XYSystem;

/** What `checkModelTarget` reads of a model besides `GenerativeModel`. */
interface DomainMarks {
  /** "spin" (default for ±1 models), "potts" (states 0…q−1) or "angles" (θ ∈ [0, 2π)). */
  domain?: string;
  q?: number;
  symmetry?: string;
}

/** Check that `model` can model `system` (see the module doc); throws naming `where`. */
export function checkModelTarget(model: GenerativeModel, system: LatticeSystem, where: string): void {
  if (system === null || typeof system !== "object" || !["spin", "potts", "xy"].includes((system as { kind?: string }).kind ?? "")) {
    throw new Error(`${where}: system must be a SpinSystem, PottsSystem or XYSystem`);
  }
  if (system.kind === "spin") {
    checkModelSystem(model, system, where);
    return;
  }
  if (model === null || typeof model !== "object" || typeof model.logProb !== "function" || !Array.isArray(model.trainableVariables)) {
    throw new Error(`${where}: model must be a GenerativeModel`);
  }
  const m = model as GenerativeModel & DomainMarks;
  if (model.size !== system.n) throw new Error(`${where}: the model has size ${model.size} but the system has ${system.n} sites`);
  if (system.kind === "potts") {
    if (m.domain !== "potts") throw new Error(`${where}: system "${system.name}" is a Potts system; the model must be a q-state model (pottsMade, pottsPixelcnn)${m.domain === "angles" ? ", not a model of angles" : ""}`);
    if (m.q !== system.q) throw new Error(`${where}: the model has q = ${String(m.q)} states but the system has q = ${system.q}`);
    if (m.symmetry !== undefined && m.symmetry !== "none" && !system.permutationSymmetric) {
      throw new Error(`${where}: the model is symmetrised ("${m.symmetry}") but the energy of "${system.name}" is not invariant under relabellings`);
    }
  } else if (m.domain !== "angles") {
    const what = isSpinModel(model) && m.domain === undefined ? "a ±1 spin model" : m.domain !== undefined ? `a model of domain "${m.domain}"` : 'a model without domain "angles"';
    throw new Error(`${where}: an XY system needs a model of angles (domain "angles", e.g. xyMade), got ${what}`);
  }
}
