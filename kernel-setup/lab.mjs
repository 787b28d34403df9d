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
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
