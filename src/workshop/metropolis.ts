/**
 * Workshop 01: the Metropolis acceptance probability and a single-spin
 * Metropolis sweep of the 2-D Ising model on an L×L torus,
 *
 *   E(s) = −Σ_⟨ij⟩ s_i s_j,   ΔE_i = 2 s_i Σ_{j∼i} s_j,   A(ΔE) = min(1, e^{−βΔE}),
 *
 * which satisfies detailed balance p(s) A(s→s') = p(s') A(s'→s) for
 * p ∝ e^{−βE}. The sweep is checked statistically: chains of the student's
 * sweep on the 4×4 torus must reproduce ⟨E⟩/N and ⟨|m|⟩ of exact enumeration
 * (`exact.enumerate`) within 4.5 error bars (errors from τ_int); when they do
 * not, the measured values are compared with what typical mistakes sample
 * (β/2, 2β, the sign of ΔE, open boundaries) to name the mistake.
 */
import { Rng } from "../core/random";
import { enumerate } from "../exact/enumerate";
import { mcmcMean } from "../stats/autocorr";
import { isingSquare } from "../systems/lattices";
import { callStudent, close, describe, fmt, Hint, readCheckOptions, runCheck, type CheckOptions, type CheckResult } from "./result";

/** The student's acceptance probability A(ΔE, β). */
export type AcceptanceFunction = (deltaE: number, beta: number) => number;

/**
 * The student's sweep: one attempted flip per site of the L×L torus `s`
 * (±1, row-major, changed in place), returning the number of accepted flips
 * (optional).
 */
export type SweepFunction = (s: Int8Array, L: number, beta: number, rng: Rng) => number | void;

/** boltzlab's Metropolis acceptance probability min(1, e^{−βΔE}). */
export function acceptance(deltaE: number, beta: number): number {
  return deltaE <= 0 ? 1 : Math.exp(-beta * deltaE);
}

/** boltzlab's sequential single-spin Metropolis sweep of the L×L Ising torus (J = 1); returns the accepted flips. */
export function metropolisSweep(s: Int8Array, L: number, beta: number, rng: Rng): number {
  let accepted = 0;
  for (let i = 0; i < L * L; i++) {
    const r = Math.floor(i / L);
    const c = i % L;
    const sum = s[((r + 1) % L) * L + c] + s[((r + L - 1) % L) * L + c] + s[r * L + ((c + 1) % L)] + s[r * L + ((c + L - 1) % L)];
    const dE = 2 * s[i] * sum;
    if (rng.uniform() < acceptance(dE, beta)) {
      s[i] = -s[i];
      accepted++;
    }
  }
  return accepted;
}

function requireFunction(f: unknown, what: string): void {
  if (typeof f !== "function") throw new Hint(`expected your function ${what}, got ${describe(f)}`);
}

/**
 * Check `acceptance(deltaE, beta)` against min(1, e^{−βΔE}) on seeded random
 * inputs (and the Ising values ΔE ∈ {−8, −4, 0, 4, 8}); prints and returns
 * the verdict, never throws because of `fn`.
 */
export function checkAcceptance(fn: AcceptanceFunction, options?: CheckOptions): CheckResult {
  const o = readCheckOptions(options, "workshop.check.acceptance");
  return runCheck("acceptance", o.print, () => {
    requireFunction(fn, "acceptance(deltaE, beta)");
    const rng = new Rng(o.seed ?? 101);
    const cases: [number, number][] = [[-1.3, 0.5], [0, 0.7], [2, 0.5], [4, 0.44], [8, 0.44], [-4, 0.44], [-8, 1]];
    for (let k = 0; k < 40; k++) {
      const dE = Math.round((rng.uniform() * 12 - 6) * 10) / 10;
      const beta = Math.round((0.1 + rng.uniform() * 1.9) * 100) / 100;
      cases.push([dE, beta]);
    }
    cases.push([1e4, 1], [-1e4, 1], [40, 3]);
    // all placeholders first: one clear hint instead of many
    const first = callStudent(() => fn(2, 0.5), "acceptance(ΔE = 2, β = 0.5)");
    if (typeof first === "number" && Number.isNaN(first) && Number.isNaN(callStudent(() => fn(-1, 1), "acceptance(ΔE = −1, β = 1)"))) {
      throw new Hint("acceptance returns NaN — fill in the TODO: return min(1, e^{−βΔE})");
    }
    for (const [dE, beta] of cases) {
      const call = `acceptance(ΔE = ${fmt(dE)}, β = ${fmt(beta)})`;
      const got = callStudent(() => fn(dE, beta), call);
      const want = acceptance(dE, beta);
      if (typeof got !== "number") {
        throw new Hint(`${call} should return a number, the probability ${fmt(want)}, got ${describe(got)} — return the probability itself; the sweep compares it with a uniform random number`);
      }
      if (close(got, want, 1e-9, 1e-300)) continue;
      const signFlip = dE !== 0 && close(got, Math.min(1, Math.exp(beta * dE)));
      const why = dE < 0 ? " (a move that lowers the energy is always accepted)" : dE === 0 ? " (a move that keeps the energy is always accepted)" : ` = e^{−βΔE}`;
      let fix = "";
      if (Number.isNaN(got)) fix = " — NaN: is something like 0·∞ or ∞/∞ computed? min(1, e^{−βΔE}) needs neither";
      else if (dE < 0 && close(got, Math.exp(-beta * dE))) fix = " = e^{−βΔE}: a probability cannot exceed 1, take min(1, e^{−βΔE})";
      else if (close(got, 1 / (1 + Math.exp(beta * dE)))) fix = ": that is the heat-bath (Glauber) probability 1/(1 + e^{βΔE}); Metropolis accepts with min(1, e^{−βΔE})";
      else if (signFlip) fix = ": check the sign of the exponent — downhill moves (ΔE < 0) are always accepted, uphill ones (ΔE > 0) with e^{−βΔE} < 1";
      else if (close(got, Math.min(1, Math.exp(-dE)))) fix = " — it looks like e^{−ΔE}: did you forget β?";
      else if (close(got, Math.min(1, Math.exp(-dE / beta)))) fix = " — it looks like e^{−ΔE/β}: β is the inverse temperature, the exponent is −β·ΔE";
      else if (got < 0 || got > 1) fix = ": a probability must lie in [0, 1]";
      throw new Hint(`${call} should be ${fmt(want)}${why}, got ${fmt(got)}${fix}`);
    }
    const again = callStudent(() => fn(2, 0.5), "acceptance(ΔE = 2, β = 0.5)");
    if (again !== first) throw new Hint("acceptance(ΔE = 2, β = 0.5) gave different values on two calls: return the probability, not a random decision");
    return `${cases.length} inputs`;
  });
}

// ---- the 4×4 torus, enumerated once: torus and open-boundary energies, |M| of every state

const L4 = 4;
const N4 = 16;
interface States { eTorus: Int8Array; eOpen: Int8Array; absM: Int8Array }
let states: States | null = null;

function enumerate4(): States {
  if (states !== null) return states;
  const count = 1 << N4;
  const eTorus = new Int8Array(count);
  const eOpen = new Int8Array(count);
  const absM = new Int8Array(count);
  const s = new Int8Array(N4);
  for (let x = 0; x < count; x++) {
    let m = 0;
    for (let i = 0; i < N4; i++) {
      s[i] = (x >> i) & 1 ? 1 : -1;
      m += s[i];
    }
    let et = 0, eo = 0;
    for (let r = 0; r < L4; r++) {
      for (let c = 0; c < L4; c++) {
        const i = r * L4 + c;
        const right = s[i] * s[r * L4 + ((c + 1) % L4)];
        const down = s[i] * s[((r + 1) % L4) * L4 + c];
        et -= right + down;
        if (c + 1 < L4) eo -= right;
        if (r + 1 < L4) eo -= down;
      }
    }
    eTorus[x] = et;
    eOpen[x] = eo;
    absM[x] = Math.abs(m);
  }
  states = { eTorus, eOpen, absM };
  return states;
}

/** ⟨E_torus⟩/N and ⟨|m|⟩ under p ∝ e^{−b·E_which} on the 4×4 lattice. */
function expectation(b: number, which: "torus" | "open"): { e: number; m: number } {
  const st = enumerate4();
  const eSample = which === "torus" ? st.eTorus : st.eOpen;
  let lo = Infinity;
  for (let x = 0; x < eSample.length; x++) lo = Math.min(lo, b * eSample[x]);
  let z = 0, se = 0, sm = 0;
  for (let x = 0; x < eSample.length; x++) {
    const w = Math.exp(-(b * eSample[x] - lo));
    z += w;
    se += w * st.eTorus[x];
    sm += w * st.absM[x];
  }
  return { e: se / z / N4, m: sm / z / N4 };
}

/**
 * Check a Metropolis sweep `fn(s, L, beta, rng)` of the L×L Ising torus: spins
 * stay ±1 and change in place, nothing flips uphill from the ground state at
 * β = 5, every spin flips at β = 0, and 4 chains of 2500 sweeps on the 4×4
 * torus at β = 0.3 and 0.6 reproduce exact ⟨E⟩/N and ⟨|m|⟩.
 */
export function checkMetropolisSweep(fn: SweepFunction, options?: CheckOptions): CheckResult {
  const o = readCheckOptions(options, "workshop.check.metropolisSweep");
  return runCheck("metropolisSweep", o.print, () => {
    requireFunction(fn, "metropolisSweep(s, L, beta, rng)");
    const rng = new Rng(o.seed ?? 202);
    const L = 4;
    const n = L * L;
    const valid = (s: Int8Array, when: string): void => {
      for (let i = 0; i < n; i++) {
        if (s[i] !== 1 && s[i] !== -1) throw new Hint(`${when}, s[${i}] = ${s[i]}: spins must stay ±1 — flip with s[i] = −s[i]`);
      }
    };
    // β = 0: every proposal is accepted, so each spin of a sequential sweep flips
    const s0 = new Int8Array(n);
    for (let i = 0; i < n; i++) s0[i] = rng.uniform() < 0.5 ? 1 : -1;
    const s = Int8Array.from(s0);
    const acc = callStudent(() => fn(s, L, 0, rng), "metropolisSweep(s, 4, β = 0, rng)");
    valid(s, "after a sweep at β = 0");
    let changed = 0;
    for (let i = 0; i < n; i++) if (s[i] !== s0[i]) changed++;
    if (changed === 0) {
      throw new Hint(
        "a sweep at β = 0 changed no spin, but there every move is accepted (A = 1): for each site i compute ΔE, and flip s[i] = −s[i] when rng.uniform() < acceptance(ΔE, β)" +
          " (the sweep must change the array it is given, in place; is acceptance still the placeholder?)",
      );
    }
    // (a random-site sweep leaves about 57 % of the spins as they were: sites drawn twice flip back)
    if (changed < 3) throw new Hint(`a sweep at β = 0 changed only ${changed} of ${n} spins, but there every attempted flip is accepted: attempt one flip per site`);
    if (typeof acc === "number" && acc !== n) {
      throw new Hint(`at β = 0 every one of the N = ${n} attempted flips is accepted, but the sweep returned ${fmt(acc)}: return the number of accepted flips`);
    }
    // β = 5 from the ground state: any flip costs ΔE = +8, accepted with e^{−40}
    const g = new Int8Array(n).fill(1);
    for (let t = 0; t < 3; t++) callStudent(() => fn(g, L, 5, rng), "metropolisSweep(s, 4, β = 5, rng)");
    valid(g, "after sweeps at β = 5");
    const flipped = g.filter((v) => v !== 1).length;
    if (flipped > 0) {
      throw new Hint(
        `from the all-up ground state at β = 5 your sweep flipped ${flipped} spin(s), though every flip there costs ΔE = +8 (accepted with e^{−40}):` +
          " check the sign of ΔE = 2 s_i Σ_j s_j (the energy change of flipping s_i, with E = −Σ s_i s_j)",
      );
    }
    // statistics against exact enumeration
    const system = isingSquare({ L });
    const chains = 4;
    const sweeps = 2500;
    const burnIn = 200;
    for (const beta of [0.3, 0.6]) {
      const ex = enumerate(system, beta, { probabilities: false });
      const eSeries = new Float64Array(sweeps * chains);
      const mSeries = new Float64Array(sweeps * chains);
      for (let c = 0; c < chains; c++) {
        const x = new Int8Array(n);
        for (let i = 0; i < n; i++) x[i] = rng.uniform() < 0.5 ? 1 : -1;
        for (let t = 0; t < burnIn + sweeps; t++) {
          callStudent(() => fn(x, L, beta, rng), `metropolisSweep(s, 4, β = ${beta}, rng)`);
          if (t < burnIn) continue;
          let e = 0, m = 0;
          for (let r = 0; r < L; r++) {
            for (let q = 0; q < L; q++) {
              const i = r * L + q;
              e -= x[i] * (x[r * L + ((q + 1) % L)] + x[((r + 1) % L) * L + q]);
              m += x[i];
            }
          }
          eSeries[(t - burnIn) * chains + c] = e / n;
          mSeries[(t - burnIn) * chains + c] = Math.abs(m) / n;
        }
      }
      const eStat = mcmcMean(eSeries, { chains });
      const mStat = mcmcMean(mSeries, { chains });
      const eErr = Math.max(eStat.error, 1e-3);
      const mErr = Math.max(mStat.error, 1e-3);
      const zE = (eStat.mean - (ex.energyPerSpin as number)) / eErr;
      const zM = (mStat.mean - (ex.absMagnetizationPerSpin as number)) / mErr;
      if (Math.abs(zE) < 4.5 && Math.abs(zM) < 4.5) continue;
      const measured = `⟨E⟩/N = ${fmt(eStat.mean)} ± ${fmt(eStat.error)} and ⟨|m|⟩ = ${fmt(mStat.mean)} ± ${fmt(mStat.error)}`;
      const exactText = `exact ${fmt(ex.energyPerSpin)} and ${fmt(ex.absMagnetizationPerSpin)}`;
      const candidates: [string, { e: number; m: number }][] = [
        [" — they match β/2: the energy change of flipping s_i is ΔE = 2 s_i Σ_j s_j (did you forget the 2? each bond −s_i s_j flips sign, a change of twice its value)", expectation(beta / 2, "torus")],
        [" — they match 2β: is each bond counted twice in ΔE = 2 s_i Σ_j s_j, or β applied twice?", expectation(2 * beta, "torus")],
        [" — they match an antiferromagnet: check the sign of ΔE = +2 s_i Σ_j s_j", expectation(-beta, "torus")],
        [" — they match open boundaries: on the torus the neighbours wrap around, (r ± 1 + L) % L and (c ± 1 + L) % L", expectation(beta, "open")],
      ];
      let fix = " — check the four neighbours (r ± 1, c) and (r, c ± 1) modulo L, ΔE = 2 s_i Σ_j s_j, and the accept test rng.uniform() < acceptance(ΔE, β)";
      for (const [text, c] of candidates) {
        if (Math.abs(eStat.mean - c.e) < 4.5 * eErr && Math.abs(mStat.mean - c.m) < 4.5 * mErr) {
          fix = text;
          break;
        }
      }
      throw new Hint(`4 chains of ${sweeps} sweeps of your sweep on the 4×4 torus at β = ${beta} give ${measured}, ${exactText}${fix}`);
    }
    return "±1 spins, no uphill flips at β = 5, all flips at β = 0, ⟨E⟩ and ⟨|m|⟩ of the 4×4 torus at β = 0.3 and 0.6 against enumeration";
  });
}
