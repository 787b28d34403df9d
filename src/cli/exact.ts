import { exact, EXACT_METHODS, type ExactMethod } from "../exact/exact";
import { loadInstance } from "../io/instance";
import { parseSystemSpec } from "../systems/parse";
import type { Command } from "./args";

export const exactCommand: Command = {
  name: "exact",
  summary:
    "exact ln Z and free energy per spin (plus energy, entropy, specific heat, |m| where available) as JSON; " +
    "systems: ising:L=..,boundary=periodic|open,J=.. | sk:n=..,seed=.. | ea2d:L=..,seed=..,boundary=..,couplings=pm|gauss | ea3d:.. | rrg:n=..,d=..,seed=.. | triangular:L=.. | cw:n=..",
  usage: `boltzlab exact (--system SPEC | --instance FILE.json|FILE.npz) --beta B [--method auto|${EXACT_METHODS.join("|")}]`,
  async run(opts) {
    const spec = opts.optionalString("system");
    const file = opts.optionalString("instance");
    const beta = opts.number("beta");
    const method = opts.string("method", "auto");
    opts.checkUnused();
    if ((spec === undefined) === (file === undefined)) throw new Error("boltzlab exact: exactly one of --system or --instance is required");
    if (!(beta > 0)) throw new Error(`boltzlab exact: --beta must be > 0, got ${beta}`);
    if (method !== "auto" && !(EXACT_METHODS as readonly string[]).includes(method)) {
      throw new Error(`boltzlab exact: --method must be one of auto, ${EXACT_METHODS.join(", ")}, got "${method}"`);
    }
    const system = spec !== undefined ? parseSystemSpec(spec) : loadInstance(file as string);
    const t0 = performance.now();
    const r = exact(system, beta, { method: method as ExactMethod | "auto", probabilities: false });
    const seconds = (performance.now() - t0) / 1000;
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
      seconds,
    };
  },
};
