/**
 * Monte Carlo for q-state Potts systems, each a `Move` on `PottsChainState`
 * run by the one loop (`runChains`):
 *
 * - `pottsMetropolisMove`: sweeps over the sites in order; σ_i → k with k
 *   uniform among the q − 1 other states, accepted with min(1, e^{−βΔE});
 * - `pottsHeatBathMove`: sweeps; σ_i redrawn from its conditional
 *   P(σ_i = k) ∝ e^{β(Σ_j J_ij δ(k, σ_j) + h_i δ(k, 0))} (all q states);
 * - `pottsWolffMove`: one Wolff cluster per step (J_ij ≥ 0, no fields): from a
 *   random seed in state a, neighbours in state a join with probability
 *   p = 1 − e^{−βJ_ij}; the cluster takes a new state drawn uniformly among
 *   the q − 1 others;
 * - `pottsSwendsenWangMove`: one Swendsen–Wang update per step (J_ij ≥ 0, no
 *   fields): every bond between equal neighbours is active with p = 1 − e^{−βJ_ij};
 *   every connected cluster takes a state drawn uniformly among all q.
 *
 * The public samplers `pottsMetropolis`, `pottsHeatBath`, `pottsWolff`,
 * `pottsSwendsenWang` take the shared `SamplerOptions` (β, sweeps, chains,
 * burnIn, thin, keepSamples, initial, progress, seed) and return a
 * `SamplerResult` with observables energyPerSpin and orderParameter (τ_int
 * and, with ≥ 2 chains, split-R̂ in `stats`). For Wolff a "sweep" is one
 * cluster (`diagnostics.sweepsPerStep` = mean cluster size / n converts).
 */
import type { Rng } from "../core/random";
import type { PottsSystem } from "../systems/types";
import { resolveSamplerOptions } from "./common";
import { runResolved, type Move, type MoveReport } from "./driver";
import { PottsChainState } from "./pottsState";
import type { SamplerOptions, SamplerResult } from "./types";

const TWO32 = 4294967296;
/** Largest local energy scale for which integer couplings use tables. */
const MAX_TABLE_FIELD = 1 << 16;

/**
 * Tables e^{−βx} for x = 0…D when every coupling and field is an integer
 * (D = max_i Σ_j |J_ij| + |h_i|), so the hot loops index instead of calling
 * exp; null otherwise.
 */
function expTable(system: PottsSystem, beta: number, scale: number): Float64Array | null {
  const { offsets, J } = system.neighbors;
  const h = system.fields;
  let D = 0;
  for (let i = 0; i < system.n; i++) {
    let f = h === null ? 0 : Math.abs(h[i]);
    if (h !== null && !Number.isInteger(h[i])) return null;
    for (let p = offsets[i]; p < offsets[i + 1]; p++) {
      if (!Number.isInteger(J[p])) return null;
      f += Math.abs(J[p]);
    }
    if (f > D) D = f;
  }
  if (D > MAX_TABLE_FIELD) return null;
  const t = new Float64Array(2 * D + 1);
  for (let x = 0; x <= 2 * D; x++) t[x] = Math.exp(-beta * x) * scale;
  return t;
}

/** Single-site Metropolis sweeps (proposal uniform among the other q − 1 states); acceptance = accepted / attempted. */
export function pottsMetropolisMove(): Move<PottsChainState> {
  let accepted = 0;
  let tried = 0;
  let table: Float64Array | null = null;
  return {
    name: "pottsMetropolis",
    init(st) {
      accepted = 0;
      tried = 0;
      table = expTable(st.system, st.beta, TWO32);
    },
    cost: (st) => st.size * st.chains,
    step(st, rng) {
      const { s, energy, counts, q, beta, size: n } = st;
      const { offsets, index, J } = st.system.neighbors;
      const h = st.system.fields;
      let acc = 0;
      for (let c = 0; c < st.chains; c++) {
        const off = c * n;
        const co = c * q;
        let dEsum = 0;
        for (let i = 0; i < n; i++) {
          const a = s[off + i];
          let k = rng.int(q - 1);
          if (k >= a) k++;
          let d = 0;
          for (let p = offsets[i], e = offsets[i + 1]; p < e; p++) {
            const b = s[off + index[p]];
            if (b === a) d += J[p];
            else if (b === k) d -= J[p];
          }
          if (h !== null) {
            if (a === 0) d += h[i];
            else if (k === 0) d -= h[i];
          }
          if (d > 0 && rng.nextU32() >= (table !== null ? table[d] : Math.exp(-beta * d) * TWO32)) continue;
          s[off + i] = k;
          counts[co + a]--;
          counts[co + k]++;
          dEsum += d;
          acc++;
        }
        energy[c] += dEsum;
      }
      accepted += acc;
      tried += n * st.chains;
      if (acc > 0) st.version++;
    },
    report(): MoveReport {
      const acceptance = tried > 0 ? accepted / tried : NaN;
      return { acceptance, updates: tried, diagnostics: { sweepsPerStep: 1 }, summary: `acceptance ${acceptance.toFixed(3)}` };
    },
  };
}

/** Single-site heat-bath sweeps over all q states; acceptance = fraction of updates that changed the state. */
export function pottsHeatBathMove(): Move<PottsChainState> {
  let changed = 0;
  let tried = 0;
  let gain = new Float64Array(0);
  let w = new Float64Array(0);
  let table: Float64Array | null = null;
  return {
    name: "pottsHeatBath",
    init(st) {
      changed = 0;
      tried = 0;
      gain = new Float64Array(st.q);
      w = new Float64Array(st.q);
      table = expTable(st.system, st.beta, 1);
    },
    cost: (st) => st.size * st.chains,
    step(st, rng) {
      const { s, energy, counts, q, beta, size: n } = st;
      const { offsets, index, J } = st.system.neighbors;
      const h = st.system.fields;
      let ch = 0;
      for (let c = 0; c < st.chains; c++) {
        const off = c * n;
        const co = c * q;
        let dEsum = 0;
        for (let i = 0; i < n; i++) {
          gain.fill(0);
          for (let p = offsets[i], e = offsets[i + 1]; p < e; p++) gain[s[off + index[p]]] += J[p];
          if (h !== null) gain[0] += h[i];
          let gmax = gain[0];
          for (let k = 1; k < q; k++) if (gain[k] > gmax) gmax = gain[k];
          let total = 0;
          if (table !== null) for (let k = 0; k < q; k++) total += w[k] = table[gmax - gain[k]];
          else for (let k = 0; k < q; k++) total += w[k] = Math.exp(beta * (gain[k] - gmax));
          let u = rng.uniform() * total;
          let k = 0;
          while (k < q - 1 && u >= w[k]) u -= w[k++];
          const a = s[off + i];
          if (k === a) continue;
          s[off + i] = k;
          counts[co + a]--;
          counts[co + k]++;
          dEsum += gain[a] - gain[k];
          ch++;
        }
        energy[c] += dEsum;
      }
      changed += ch;
      tried += n * st.chains;
      if (ch > 0) st.version++;
    },
    report(): MoveReport {
      const acceptance = tried > 0 ? changed / tried : NaN;
      return { acceptance, updates: tried, diagnostics: { sweepsPerStep: 1 }, summary: `changed ${acceptance.toFixed(3)}` };
    },
  };
}

/** Refuses antiferromagnetic couplings and fields for the cluster moves, naming the offending edge. */
function checkFerro(system: PottsSystem, where: string, what: string): void {
  const e = system.edges;
  for (let k = 0; k < e.J.length; k++) {
    if (e.J[k] < 0) throw new Error(`${where}: ${what} need ferromagnetic couplings (all J_ij ≥ 0); ${system.name} has J = ${e.J[k]} on edge (${e.i[k]}, ${e.j[k]}). Use pottsMetropolis or pottsHeatBath instead.`);
  }
  if (system.fields !== null) throw new Error(`${where}: ${what} need zero fields; ${system.name} has nonzero fields h_i. Use pottsMetropolis or pottsHeatBath instead.`);
}

/** Bond thresholds (1 − e^{−βJ}) · 2^32 per CSR entry. */
function bondThresholds(J: Float64Array, beta: number): Float64Array {
  return Float64Array.from(J, (v) => (v > 0 ? -Math.expm1(-beta * v) * TWO32 : 0));
}

/**
 * One Wolff cluster per chain and step (J ≥ 0, no fields; `init` refuses
 * others). The cluster's new state is uniform among the q − 1 others.
 * `acceptance` = mean cluster size / n = `sweepsPerStep`.
 */
export function pottsWolffMove(): Move<PottsChainState> {
  let flipped = 0;
  let clusters = 0;
  let p: Float64Array = new Float64Array(0);
  let queue = new Int32Array(0);
  let stamp = new Int32Array(0);
  let mark = 0;
  return {
    name: "pottsWolff",
    init(st, where) {
      checkFerro(st.system, where, "Wolff cluster updates");
      p = bondThresholds(st.system.neighbors.J, st.beta);
      queue = new Int32Array(st.size);
      stamp = new Int32Array(st.size);
      mark = 0;
      flipped = 0;
      clusters = 0;
    },
    cost: (st) => 0.1 * st.size * st.chains,
    step(st, rng) {
      const { s, energy, counts, q, size: n } = st;
      const { offsets, index, J } = st.system.neighbors;
      for (let c = 0; c < st.chains; c++) {
        const off = c * n;
        if (++mark >= 0x7fffffff) {
          stamp.fill(0);
          mark = 1;
        }
        const seed = rng.int(n);
        const a = s[off + seed];
        let b = rng.int(q - 1);
        if (b >= a) b++;
        let head = 0;
        let size = 1;
        queue[0] = seed;
        stamp[seed] = mark;
        s[off + seed] = b;
        while (head < size) {
          const i = queue[head++];
          for (let k = offsets[i], e = offsets[i + 1]; k < e; k++) {
            const j = index[k];
            if (s[off + j] !== a) continue;
            if (rng.nextU32() < p[k]) {
              stamp[j] = mark;
              s[off + j] = b;
              queue[size++] = j;
            }
          }
        }
        // ΔE from the bonds leaving the cluster: −J [δ(b, σ_j) − δ(a, σ_j)]
        let dE = 0;
        for (let t = 0; t < size; t++) {
          const i = queue[t];
          for (let k = offsets[i], e = offsets[i + 1]; k < e; k++) {
            const j = index[k];
            if (stamp[j] === mark) continue;
            const sj = s[off + j];
            if (sj === a) dE += J[k];
            else if (sj === b) dE -= J[k];
          }
        }
        energy[c] += dE;
        counts[c * q + a] -= size;
        counts[c * q + b] += size;
        flipped += size;
      }
      clusters += st.chains;
      st.version++;
    },
    report(st, elapsedMs): MoveReport {
      const meanClusterSize = clusters > 0 ? flipped / clusters : NaN;
      return {
        acceptance: meanClusterSize / st.size,
        updates: flipped,
        diagnostics: { meanClusterSize, sweepsPerStep: meanClusterSize / st.size, clustersPerSecond: clusters / (elapsedMs / 1000) },
        summary: `mean cluster ${meanClusterSize.toFixed(1)}`,
      };
    },
  };
}

/**
 * One Swendsen–Wang update per chain and step (J ≥ 0, no fields): active
 * bonds between equal neighbours with p = 1 − e^{−βJ}, each cluster a new
 * state uniform among all q. `acceptance` = fraction of sites whose state
 * changed; `diagnostics.meanClusters` = clusters per update.
 */
export function pottsSwendsenWangMove(): Move<PottsChainState> {
  let changed = 0;
  let tried = 0;
  let clusterCount = 0;
  let steps = 0;
  let p = new Float64Array(0);
  let parent = new Int32Array(0);
  let label = new Int16Array(0);
  return {
    name: "pottsSwendsenWang",
    init(st, where) {
      checkFerro(st.system, where, "Swendsen–Wang cluster updates");
      const e = st.system.edges;
      p = Float64Array.from(e.J, (v) => (v > 0 ? -Math.expm1(-st.beta * v) * TWO32 : 0));
      parent = new Int32Array(st.size);
      label = new Int16Array(st.size);
      changed = 0;
      tried = 0;
      clusterCount = 0;
      steps = 0;
    },
    cost: (st) => st.size * st.chains,
    step(st, rng: Rng) {
      const { s, q, size: n } = st;
      const { i: EI, j: EJ } = st.system.edges;
      const m = EI.length;
      for (let c = 0; c < st.chains; c++) {
        const off = c * n;
        for (let v = 0; v < n; v++) parent[v] = v;
        for (let k = 0; k < m; k++) {
          const a = EI[k];
          const b = EJ[k];
          if (s[off + a] !== s[off + b] || rng.nextU32() >= p[k]) continue;
          // union by path halving
          let ra = a;
          while (parent[ra] !== ra) ra = parent[ra] = parent[parent[ra]];
          let rb = b;
          while (parent[rb] !== rb) rb = parent[rb] = parent[parent[rb]];
          if (ra !== rb) {
            if (ra < rb) parent[rb] = ra;
            else parent[ra] = rb;
          }
        }
        label.fill(-1);
        let ch = 0;
        for (let v = 0; v < n; v++) {
          let r = v;
          while (parent[r] !== r) r = parent[r] = parent[parent[r]];
          if (label[r] < 0) {
            label[r] = rng.int(q);
            clusterCount++;
          }
          const ns = label[r];
          if (ns !== s[off + v]) {
            s[off + v] = ns;
            ch++;
          }
        }
        changed += ch;
        st.recompute(c);
      }
      tried += n * st.chains;
      steps += st.chains;
      st.version++;
    },
    report(): MoveReport {
      const acceptance = tried > 0 ? changed / tried : NaN;
      return {
        acceptance,
        updates: tried,
        diagnostics: { sweepsPerStep: 1, meanClusters: steps > 0 ? clusterCount / steps : NaN },
        summary: `changed ${acceptance.toFixed(3)}, ${(clusterCount / Math.max(1, steps)).toFixed(1)} clusters`,
      };
    },
  };
}

/** Checks a PottsSystem argument. */
export function checkPottsSamplerSystem(system: PottsSystem, where: string): void {
  if (system === null || typeof system !== "object" || system.kind !== "potts") throw new Error(`${where}: system must be a PottsSystem (kind "potts")`);
}

/**
 * Run any move on Potts chains with the shared `SamplerOptions`; `initial`
 * entries must be integer states in 0…q−1. `label` names the sampler in
 * errors, the progress bar and `diagnostics.sampler`.
 */
export function runPottsMove(system: PottsSystem, move: Move<PottsChainState>, options: SamplerOptions, label = "runPottsMove"): SamplerResult {
  checkPottsSamplerSystem(system, label);
  if (move === null || typeof move !== "object" || typeof move.step !== "function" || typeof move.report !== "function") throw new Error(`${label}: move must be a Move (with step, cost and report)`);
  const o = resolveSamplerOptions(options, system.n, label);
  if (o.initial !== null) {
    for (let k = 0; k < o.initial.length; k++) {
      const v = o.initial[k];
      if (!Number.isInteger(v) || v < 0 || v >= system.q) throw new Error(`${label}: initial[${k}] = ${v} is not a state in 0…${system.q - 1}`);
    }
  }
  const state = new PottsChainState(system, o.chains, o.beta);
  return runResolved(state, move, o, label);
}

/** Single-site Metropolis for Potts systems (see the module doc). */
export function pottsMetropolis(system: PottsSystem, options: SamplerOptions): SamplerResult {
  return runPottsMove(system, pottsMetropolisMove(), options, "pottsMetropolis");
}

/** Single-site heat bath for Potts systems (see the module doc). */
export function pottsHeatBath(system: PottsSystem, options: SamplerOptions): SamplerResult {
  return runPottsMove(system, pottsHeatBathMove(), options, "pottsHeatBath");
}

/** Wolff single-cluster updates for Potts ferromagnets; one "sweep" = one cluster (see the module doc). */
export function pottsWolff(system: PottsSystem, options: SamplerOptions): SamplerResult {
  return runPottsMove(system, pottsWolffMove(), options, "pottsWolff");
}

/** Swendsen–Wang updates for Potts ferromagnets; one "sweep" = one update of all clusters (see the module doc). */
export function pottsSwendsenWang(system: PottsSystem, options: SamplerOptions): SamplerResult {
  return runPottsMove(system, pottsSwendsenWangMove(), options, "pottsSwendsenWang");
}
