/**
 * Backend selection for TensorFlow.js.
 *
 * boltzlab prefers the native `tensorflow` backend (@tensorflow/tfjs-node),
 * falls back to `wasm` (@tensorflow/tfjs-backend-wasm, single-threaded in
 * Node) and then to the pure-JS `cpu` backend. `BOLTZLAB_BACKEND` forces one.
 *
 * Nothing happens on import: the backend is chosen the first time a boltzlab
 * function needs tensors (`ensureBackend`) or when the user calls `init()`.
 */
import * as tf from "@tensorflow/tfjs";

export type BackendName = "tensorflow" | "wasm" | "cpu";
const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface BackendInfo {
  /** The active tfjs backend. */
  name: BackendName;
  /** Why the preferred native backend is not active, if it is not. */
  fallbackReason: string | null;
  /** Threads available to the backend (1 for wasm in Node; for tensorflow TF_NUM_INTRAOP_THREADS when set; hardware threads otherwise). */
  threads: number;
  tfjsVersion: string;
}

let active: BackendInfo | null = null;
let nativeError: string | null = null;
let warned = false;

function requested(): BackendName | null {
  const v = process.env.BOLTZLAB_BACKEND;
  if (v === undefined || v === "") return null;
  if (!(BACKENDS as readonly string[]).includes(v)) {
    throw new Error(`BOLTZLAB_BACKEND must be one of ${BACKENDS.join(", ")}; got "${v}"`);
  }
  return v as BackendName;
}

/** Load @tensorflow/tfjs-node quietly; returns true when its backend is registered. */
function loadNative(): boolean {
  if (tf.findBackend("tensorflow") !== null) return true;
  if (nativeError !== null) return false;
  // TensorFlow's C++ log messages below warnings are silenced. oneDNN's
  // custom kernels stay on (TensorFlow's default): they make the convolution
  // gradients of PixelCNN training 2-3× faster, and their results are the
  // same from run to run on one machine. TensorFlow announces them with one
  // INFO line on stderr at start-up, which no setting silences;
  // TF_ENABLE_ONEDNN_OPTS=0 turns them off (and the line with them).
  if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = "2";
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@tensorflow/tfjs-node");
    return tf.findBackend("tensorflow") !== null;
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    nativeError = `@tensorflow/tfjs-node could not be loaded (${msg}); run \`npm run setup\` to build it`;
    return false;
  }
}

function threadCount(name: BackendName): number {
  if (name === "wasm") return 1;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require("os") as typeof import("os");
  const hardware = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  // TensorFlow's own thread-pool limit, when one is set (the native backend reads it at start-up)
  const limit = name === "tensorflow" ? Number(process.env.TF_NUM_INTRAOP_THREADS) : NaN;
  return Number.isInteger(limit) && limit >= 1 ? Math.min(limit, hardware) : hardware;
}

function activate(name: BackendName, reason: string | null): BackendInfo {
  active = { name, fallbackReason: reason, threads: threadCount(name), tfjsVersion: tf.version.tfjs };
  if (reason !== null && !warned && process.env.BOLTZLAB_QUIET !== "1") {
    warned = true;
    process.stderr.write(`boltzlab: using the ${name} backend: ${reason}\n`);
  }
  return active;
}

/**
 * Make sure a backend is active, choosing synchronously: `tensorflow` when it
 * can be loaded, else `cpu` (the wasm backend needs `await init()`, since its
 * module compiles asynchronously). Returns the active backend's info.
 */
export function ensureBackend(): BackendInfo {
  if (active !== null && tf.getBackend() === active.name) return active;
  const want = requested();
  if (want === "cpu" || want === "wasm") {
    if (want === "wasm" && tf.getBackend() === "wasm") return activate("wasm", null);
    tf.setBackend("cpu");
    return activate("cpu", want === "wasm" ? "BOLTZLAB_BACKEND=wasm needs `await bz.init()`; cpu until then" : null);
  }
  if (loadNative()) {
    tf.setBackend("tensorflow");
    return activate("tensorflow", null);
  }
  if (want === "tensorflow") throw new Error(`BOLTZLAB_BACKEND=tensorflow but ${nativeError}`);
  tf.setBackend("cpu");
  return activate("cpu", `${nativeError}; call \`await bz.init()\` for the faster wasm backend`);
}

export interface InitOptions {
  /** Force a backend; defaults to BOLTZLAB_BACKEND or the best available. */
  backend?: BackendName;
}

/**
 * Choose and initialise the backend (async, so the wasm fallback can compile).
 * Idempotent. Also preloads the plotting modules so that `show` renders fast.
 */
export async function initBackend(options: InitOptions = {}): Promise<BackendInfo> {
  const want = options.backend ?? requested();
  if (want !== null && want !== undefined && !(BACKENDS as readonly string[]).includes(want)) {
    throw new Error(`init: options.backend must be one of ${BACKENDS.join(", ")}; got "${String(want)}"`);
  }
  if (want === "cpu") {
    await tf.setBackend("cpu");
    return activate("cpu", null);
  }
  if (want !== "wasm") {
    if (loadNative()) {
      await tf.setBackend("tensorflow");
      return activate("tensorflow", null);
    }
    if (want === "tensorflow") throw new Error(`init: backend "tensorflow" requested but ${nativeError}`);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@tensorflow/tfjs-backend-wasm");
    const ok = await tf.setBackend("wasm");
    if (!ok) throw new Error("tf.setBackend('wasm') returned false");
    return activate("wasm", want === "wasm" ? null : nativeError);
  } catch (e) {
    await tf.setBackend("cpu");
    return activate("cpu", `${nativeError ?? "wasm requested"}; wasm failed too (${(e as Error).message})`);
  }
}

/** The active backend's name, choosing one if none is active yet. */
export function backend(): BackendName {
  return ensureBackend().name;
}

/** Full information on the active backend. */
export function backendInfo(): BackendInfo {
  return { ...ensureBackend() };
}
