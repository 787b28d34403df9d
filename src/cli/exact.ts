import { applicableMethods, exact, EXACT_METHODS, type ExactMethod } from "../exact/exact";
import { loadInstance } from "../io/instance";
import { parseSystemSpec } from "../systems/parse";
import type { Command } from "./args";
import { asUsage, need } from "./checks";
import { exactPotts, POTTS_EXACT_USAGE } from "./exactPotts";
import { isPottsOrXYSpec } from "./samplePotts";

export const exactCommand: Command = {
  name: "exact",
  summary:
    "exact ln Z and free energy per spin (plus energy, entropy, specific heat, |m| where available) as JSON; " +
    "systems: ising:L=..,boundary=periodic|open,J=.. | sk:n=..,seed=.. | ea2d:L=..,seed=..,boundary=..,couplings=pm|gauss | ea3d:.. | rrg:n=..,d=..,seed=.. | triangular:L=.. | cw:n=.. | potts:L=..,q=.. | pottsglass:L=..,q=..,seed=.. | xy:L=.. | xychain:n=..,boundary=open|periodic",
  usage: `boltzlab exact (--system SPEC | --instance FILE.json|FILE.npz) --beta B [--method auto|${EXACT_METHODS.join("|")}]\n       ${POTTS_EXACT_USAGE}`,
  async run(opts) {
    const spec = opts.optionalString("system");
    const file = opts.optionalString("instance");
    if (isPottsOrXYSpec(spec) && file === undefined) return exactPotts(opts, spec);
    const beta = opts.number("beta");
    const method = opts.string("method", "auto");
    opts.checkUnused();
    const C = "boltzlab exact";
    // Everything is checked here, before any work.
    need((spec === undefined) !== (file === undefined), `${C}: exactly one of --system or --instance is required`);
    need(beta > 0, `${C}: --beta must be > 0, got ${beta}`);
    need(method === "auto" || (EXACT_METHODS as readonly string[]).includes(method), `${C}: --method must be one of auto, ${EXACT_METHODS.join(", ")}, got "${method}"`);
    const system = spec !== undefined ? asUsage(`${C}: --system ${spec}`, () => parseSystemSpec(spec)) : asUsage(`${C}: --instance ${file}`, () => loadInstance(file as string));
    const refusals = applicableMethods(system);
    if (method !== "auto") {
      const why = refusals[method as ExactMethod];
      need(why === null, `${C}: --method ${method} does not apply to ${system.name}: ${String(why)}`);
    } else {
      const reasons = Object.entries(refusals).map(([m, why]) => `${m}: ${String(why)}`);
      need(Object.values(refusals).some((why) => why === null), `${C}: no exact method applies to --system ${system.name} (${reasons.join("; ")})`);
    }
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
