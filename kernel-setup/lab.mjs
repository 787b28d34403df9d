#!/usr/bin/env node
/**
 * `npm run lab [-- JUPYTER ARGS]`: set up what is missing, then start
 * JupyterLab from the project's .venv on notebooks/, bound to localhost with
 * token authentication left on. Extra arguments go to `jupyter lab`
 * (e.g. `npm run lab -- --no-browser --port 8899`).
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const setup = spawnSync(process.execPath, [path.join(root, "kernel-setup", "setup.mjs")], { stdio: "inherit" });
if (setup.status !== 0) process.exit(setup.status ?? 1);

const jupyter = path.join(root, ".venv", "bin", "jupyter");
const args = ["lab", `--notebook-dir=${path.join(root, "notebooks")}`, "--ServerApp.ip=127.0.0.1", ...process.argv.slice(2)];
// Jupyter refuses to run as root unless told; containers and CI machines often are root.
if (typeof process.getuid === "function" && process.getuid() === 0 && !args.includes("--allow-root")) args.push("--allow-root");
const child = spawn(jupyter, args, { stdio: "inherit", cwd: root });

// Stopping: SIGINT or SIGTERM (a terminal, a process manager, a workshop
// script) stops jupyter-lab — with SIGTERM, which it obeys without asking
// "Shutdown this Jupyter server (y/[n])?" — and this process exits only once
// it has; if it has not within 10 s it is killed. npm does not wait for its
// script, and a shell between npm and node may not pass the signal on, so a
// parent that goes away (we are re-parented) counts as a stop request too.
let stopping = false;
function stop(why) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`[lab] ${why}: stopping JupyterLab\n`);
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 10000).unref();
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => stop(sig));
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) stop("the parent process exited");
}, 500);
watch.unref();
child.on("exit", (code, signal) => {
  clearInterval(watch);
  process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
});
