#!/usr/bin/env node
/**
 * Idempotent project setup, run by `npm run lab`, `npm test` and `npm run setup`.
 *
 *  1. node_modules/boltzlab -> the project, so notebooks can `import "boltzlab"`.
 *  2. Compile src/ to dist/ (incremental).
 *  3. The native TensorFlow backend: use @tensorflow/tfjs-node's addon if it
 *     loads; else build it from source against the TensorFlow C library in
 *     pip's tensorflow-cpu wheel; else warn (boltzlab falls back to wasm).
 *  4. A project-local Python venv (.venv) with JupyterLab, nbclient and
 *     nbconvert pinned in kernel-setup/requirements.txt.
 *  5. The tslab kernelspec registered inside .venv, pointing at the project's tslab.
 *  6. JupyterLab settings overrides in .venv: the news prompt and update checks off.
 *  7. With --browser only: Chromium for the browser test (Debian's `chromium`
 *     through apt-get, as root) when none is on PATH.
 *
 * Flags: --no-venv (skip 4 and 5), --quiet, --force-native (rebuild the addon),
 * --browser (also 7; .ci/run uses it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const quiet = args.has("--quiet");
const cache = path.join(root, ".cache");
fs.mkdirSync(cache, { recursive: true });

function log(msg) {
  if (!quiet) process.stderr.write(`[setup] ${msg}\n`);
}
function warn(msg) {
  process.stderr.write(`boltzlab setup: ${msg}\n`);
}
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit", ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} exited with ${r.status}`);
}

// 1. self link ---------------------------------------------------------------
function selfLink() {
  const link = path.join(root, "node_modules", "boltzlab");
  if (!fs.existsSync(path.join(root, "node_modules"))) {
    throw new Error("node_modules is missing: run `npm ci` first");
  }
  try {
    if (fs.realpathSync(link) === root) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    /* no link yet */
  }
  fs.symlinkSync("..", link, "dir");
  log("linked node_modules/boltzlab -> .");
}

// 2. compile -------------------------------------------------------------------
function compile() {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  log("compiling src/ -> dist/");
  // tsc still writes dist/ when there are type errors; those are reported
  // here and fail `npm test` at its type-check step, not the setup.
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) warn("TypeScript reported errors (above); dist/ was written anyway");
}

// 3. native backend --------------------------------------------------------------
const tfnode = path.join(root, "node_modules", "@tensorflow", "tfjs-node");

function nativeLoads() {
  const r = spawnSync(process.execPath, ["-e", "require('@tensorflow/tfjs-node'); process.stdout.write(require('@tensorflow/tfjs').getBackend())"], {
    cwd: root,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3", TF_ENABLE_ONEDNN_OPTS: "0" },
    encoding: "utf8",
  });
  return r.status === 0 && r.stdout.trim() === "tensorflow";
}

function python() {
  const venvPy = path.join(root, ".venv", "bin", "python");
  if (fs.existsSync(venvPy)) return venvPy;
  for (const p of ["python3", "python"]) {
    const r = spawnSync(p, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return p;
  }
  throw new Error("no python3 found (needed to fetch the tensorflow-cpu wheel)");
}

function buildNativeFromWheel() {
  const pipEnv = { ...process.env, PIP_RETRIES: process.env.PIP_RETRIES ?? "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  const spec = fs.readFileSync(path.join(root, "kernel-setup", "tensorflow-wheel.txt"), "utf8").trim();
  const wheelDir = path.join(cache, "wheels");
  fs.mkdirSync(wheelDir, { recursive: true });
  let wheel = fs.readdirSync(wheelDir).find((f) => f.startsWith("tensorflow_cpu-") && f.endsWith(".whl"));
  if (wheel === undefined) {
    log(`downloading ${spec} (only its C library is used)`);
    run(python(), ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", wheelDir, spec], { env: pipEnv });
    wheel = fs.readdirSync(wheelDir).find((f) => f.startsWith("tensorflow_cpu-") && f.endsWith(".whl"));
    if (wheel === undefined) throw new Error("pip did not produce a tensorflow_cpu wheel");
  }
  const deps = path.join(tfnode, "deps");
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, "lib"), { recursive: true });
  fs.mkdirSync(path.join(deps, "include"), { recursive: true });
  log(`extracting the TensorFlow C library from ${wheel}`);
  const extract = `
import sys, zipfile, os, shutil
whl, deps = sys.argv[1], sys.argv[2]
inc = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/ctstring",
       "tensorflow/include/tsl/platform/ctstring", "tensorflow/include/tensorflow/tsl/platform/ctstring",
       "tensorflow/include/xla/tsl/c/", "tensorflow/include/tensorflow/compiler/xla/tsl/c/")
libs = {"tensorflow/libtensorflow_cc.so.2": "libtensorflow_cc.so.2",
        "tensorflow/libtensorflow_framework.so.2": "libtensorflow_framework.so.2"}
with zipfile.ZipFile(whl) as z:
    for info in z.infolist():
        n = info.filename
        if n.endswith("/"):
            continue
        if n in libs:
            dst = os.path.join(deps, "lib", libs[n])
        elif n.startswith(inc):
            dst = os.path.join(deps, "include", n[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with z.open(info) as src, open(dst, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 22)
`;
  run(python(), ["-c", extract, path.join(wheelDir, wheel), deps]);
  const lib = path.join(deps, "lib");
  const strip = spawnSync("strip", ["--strip-unneeded", "libtensorflow_cc.so.2", "libtensorflow_framework.so.2"], { cwd: lib });
  if (strip.status !== 0) log("strip not available; keeping unstripped libraries");
  for (const [name, target] of [
    ["libtensorflow.so", "libtensorflow_cc.so.2"],
    ["libtensorflow.so.2", "libtensorflow_cc.so.2"],
    ["libtensorflow_framework.so", "libtensorflow_framework.so.2"],
  ]) {
    fs.rmSync(path.join(lib, name), { force: true });
    fs.symlinkSync(target, path.join(lib, name));
  }
  log("building the tfjs-node addon from source (about a minute)");
  const preGyp = path.join(root, "node_modules", "@mapbox", "node-pre-gyp", "bin", "node-pre-gyp");
  // Build against the running Node's own headers when they are installed
  // (otherwise node-gyp would try to download them).
  const env = { ...process.env };
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  if (env.npm_config_nodedir === undefined && fs.existsSync(path.join(prefix, "include", "node", "node_api.h"))) {
    env.npm_config_nodedir = prefix;
  }
  run(process.execPath, [preGyp, "install", "--build-from-source"], { cwd: tfnode, env });
  fs.rmSync(path.join(tfnode, "build"), { recursive: true, force: true });
}

function nativeBackend() {
  const stamp = path.join(cache, "backend.json");
  if (!args.has("--force-native") && nativeLoads()) {
    fs.writeFileSync(stamp, JSON.stringify({ backend: "tensorflow" }) + "\n");
    return;
  }
  if (process.env.BOLTZLAB_NO_NATIVE_BUILD === "1") {
    warn("BOLTZLAB_NO_NATIVE_BUILD=1: not building @tensorflow/tfjs-node; boltzlab will use the wasm backend");
    return;
  }
  try {
    buildNativeFromWheel();
    if (!nativeLoads()) throw new Error("the built addon does not load");
    fs.writeFileSync(stamp, JSON.stringify({ backend: "tensorflow", builtFrom: "tensorflow-cpu wheel" }) + "\n");
    log("native backend ready: tensorflow");
  } catch (e) {
    fs.writeFileSync(stamp, JSON.stringify({ backend: "wasm", reason: String(e.message) }) + "\n");
    warn(`could not provide the native tensorflow backend (${e.message}); boltzlab will fall back to wasm`);
  }
}

// 4. Python venv -----------------------------------------------------------------
function venv() {
  const req = path.join(root, "kernel-setup", "requirements.txt");
  const hash = createHash("sha256").update(fs.readFileSync(req)).digest("hex");
  const venvDir = path.join(root, ".venv");
  const stamp = path.join(venvDir, ".boltzlab-requirements");
  const py = path.join(venvDir, "bin", "python");
  if (fs.existsSync(py) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash) return;
  if (!fs.existsSync(py)) {
    log("creating .venv");
    const base = ["python3", "python"].find((p) => spawnSync(p, ["--version"]).status === 0);
    if (base === undefined) throw new Error("python3 with the venv module is required for JupyterLab");
    run(base, ["-m", "venv", venvDir]);
  }
  log("installing JupyterLab, nbclient and nbconvert into .venv");
  run(py, ["-m", "pip", "install", "--quiet", "-r", req], {
    env: { ...process.env, PIP_RETRIES: process.env.PIP_RETRIES ?? "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" },
  });
  fs.writeFileSync(stamp, hash);
}

// 5. kernelspec --------------------------------------------------------------------
function kernelspec() {
  const dir = path.join(root, ".venv", "share", "jupyter", "kernels", "tslab");
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, path.join(root, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (tslab)",
    language: "typescript",
    env: { TF_CPP_MIN_LOG_LEVEL: "2" },
  };
  const file = path.join(dir, "kernel.json");
  const text = JSON.stringify(spec, null, 2) + "\n";
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    fs.writeFileSync(file, text);
    log(`registered the tslab kernel in ${path.relative(root, dir)}`);
  }
}

// 6. JupyterLab settings of the project's lab: no "get notified about official
// Jupyter news?" prompt on first start, and no update checks (no other host is contacted).
function labSettings() {
  const dir = path.join(root, ".venv", "share", "jupyter", "lab", "settings");
  const file = path.join(dir, "overrides.json");
  let current = {};
  try {
    current = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    current = {};
  }
  const want = { ...current, "@jupyterlab/apputils-extension:notification": { ...(current["@jupyterlab/apputils-extension:notification"] ?? {}), fetchNews: "false", checkForUpdates: false } };
  const text = JSON.stringify(want, null, 2) + "\n";
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text);
    log(`wrote JupyterLab settings ${path.relative(root, file)} (news and update checks off)`);
  }
}

// 7. Chromium for test/notebooks/browser.test.ts ----------------------------------
function onPath(name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}
function chromium() {
  if (["chromium", "chromium-browser", "google-chrome"].some(onPath)) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || !onPath("apt-get")) {
    throw new Error("Chromium is missing and cannot be installed here (needs root and apt-get): install the `chromium` package, or skip the browser test with BOLTZLAB_NO_BROWSER=1");
  }
  log("installing Chromium (apt-get install chromium) for the browser test");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env });
  if (!onPath("chromium")) throw new Error("apt-get install chromium finished but `chromium` is not on PATH");
}

try {
  selfLink();
  compile();
  nativeBackend();
  if (!args.has("--no-venv")) {
    venv();
    kernelspec();
    labSettings();
  }
  if (args.has("--browser")) chromium();
} catch (e) {
  warn(e.message);
  process.exit(1);
}
