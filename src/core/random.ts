/**
 * Seeded randomness. One generator type (xoshiro128**, seeded through
 * splitmix32) serves the JS side; tensors of random numbers are drawn from it
 * too, so the same seed gives the same numbers on every backend.
 */
import * as tf from "@tensorflow/tfjs";
import { checkInteger } from "./validate";

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

const TWO_M32 = 2 ** -32;
const TWO_M53 = 2 ** -53;

/** A generator's position in its stream (see `Rng.getState`). */
export interface RngState {
  type: "xoshiro128**";
  /** The seed the saved generator was created with (informative). */
  seed: number;
  /** The four 32-bit state words, unsigned. */
  words: number[];
  /** The cached second normal of Box–Muller, or null. */
  spare: number | null;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;
  /** The seed this generator was created with. */
  readonly seed: number;

  constructor(seed: number) {
    checkInteger(seed, "seed", "Rng", { min: 0, max: 2 ** 53 - 1 });
    this.seed = seed;
    // fold the (up to 53-bit) seed into 32 bits of splitmix state
    let st = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    let x: number;
    [st, x] = splitmix32(st); this.a = x;
    [st, x] = splitmix32(st); this.b = x;
    [st, x] = splitmix32(st); this.c = x;
    [st, x] = splitmix32(st); this.d = x;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_M53;
  }

  /** Uniform double in [0, 1) with 32 random bits: twice as fast, for hot Monte Carlo loops. */
  uniform32(): number {
    return this.nextU32() * TWO_M32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (n <= 0x100000000 && n > 0) return Math.floor(this.uniform32() * n);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill an array with uniforms in [0, 1). */
  fillUniform<T extends Float32Array | Float64Array>(out: T): T {
    for (let k = 0; k < out.length; k++) out[k] = this.uniform();
    return out;
  }

  /** Fill an array with standard normals. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T {
    for (let k = 0; k < out.length; k++) out[k] = this.normal();
    return out;
  }

  /** A float32 tensor of uniforms in [0, 1). */
  uniformTensor(shape: number[]): tf.Tensor {
    const size = shape.reduce((p, q) => p * q, 1);
    return tf.tensor(this.fillUniform(new Float32Array(size)), shape, "float32");
  }

  /** A float32 tensor of standard normals. */
  normalTensor(shape: number[]): tf.Tensor {
    const size = shape.reduce((p, q) => p * q, 1);
    return tf.tensor(this.fillNormal(new Float32Array(size)), shape, "float32");
  }

  /** A random integer seed in [0, 2^31), e.g. for APIs that take one. */
  seedInt(): number {
    return this.nextU32() >>> 1;
  }

  /** An independent generator whose seed is drawn from this one. */
  fork(): Rng {
    return new Rng(this.nextU32() * 2097152 + (this.nextU32() >>> 11));
  }

  /**
   * The generator's full state (the four xoshiro words and the cached second
   * Box–Muller normal), as plain JSON-safe numbers: `setState` on any Rng
   * continues the exact same stream. Checkpoints store it for exact resume.
   */
  getState(): RngState {
    return { type: "xoshiro128**", seed: this.seed, words: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0], spare: this.spare };
  }

  /** Continue the stream saved by `getState` (the `seed` field stays this generator's own). */
  setState(state: RngState): void {
    const W = "Rng.setState";
    if (state === null || typeof state !== "object" || state.type !== "xoshiro128**") throw new Error(`${W}: state must come from Rng.getState()`);
    const w = state.words;
    if (!Array.isArray(w) || w.length !== 4 || !w.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) || w.every((x) => x === 0)) {
      throw new Error(`${W}: state.words must be four 32-bit unsigned integers, not all 0`);
    }
    if (state.spare !== null && !Number.isFinite(state.spare)) throw new Error(`${W}: state.spare must be a finite number or null`);
    this.a = w[0] | 0;
    this.b = w[1] | 0;
    this.c = w[2] | 0;
    this.d = w[3] | 0;
    this.spare = state.spare;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array | Float64Array): typeof a {
    for (let k = a.length - 1; k > 0; k--) {
      const j = this.int(k + 1);
      const t = a[k];
      a[k] = a[j];
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let globalRng: Rng | null = null;

/** Set the global seed used by every boltzlab function not given its own `seed` or `rng`. */
export function setSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** The global generator (seed 0 until `seed()` is called). */
export function globalGenerator(): Rng {
  if (globalRng === null) globalRng = new Rng(0);
  return globalRng;
}

export interface RandomOptions {
  /** Seed for a fresh generator used by this call. */
  seed?: number;
  /** A generator to draw from (takes precedence over `seed`). */
  rng?: Rng;
}

/** The generator a call should use: `rng`, else a fresh one from `seed`, else the global one. */
export function resolveRng(options: RandomOptions | undefined, where: string): Rng {
  if (options?.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw new Error(`${where}: options.rng must be a boltzlab Rng`);
    return options.rng;
  }
  if (options?.seed !== undefined) {
    checkInteger(options.seed, "seed", where, { min: 0, max: 2 ** 53 - 1 });
    return new Rng(options.seed);
  }
  return globalGenerator();
}
