/**
 * `npm run lab`: JupyterLab starts on loopback with a token, without the
 * "official Jupyter news" prompt, and stops when npm is sent SIGTERM (as a
 * terminal, a process manager or a workshop script does): the port is closed
 * within 10 s and no lab.mjs or jupyter-lab process is left behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import path from "node:path";
import { freePort, sleep } from "./net";

const root = path.resolve(__dirname, "..", "..");


async function get(url: string): Promise<{ status: number; body: string } | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return null;
  }
}

function processesOn(port: number): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(`--port ${port}`) && !l.includes("ps -eo"));
}

test("npm run lab serves on loopback without the news prompt and stops on SIGTERM within 10 s", { timeout: 5 * 60 * 1000 }, async () => {
  const port = await freePort();
  const token = `bz${process.pid}`;
  const npm = spawn("npm", ["run", "lab", "--", "--no-browser", "--port", String(port), `--ServerApp.token=${token}`, "--ServerApp.port_retries=0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BOLTZLAB_NO_NATIVE_BUILD: "1" },
  });
  let log = "";
  npm.stdout.on("data", (d) => (log += d));
  npm.stderr.on("data", (d) => (log += d));
  try {
    const base = `http://127.0.0.1:${port}`;
    let up = false;
    for (let k = 0; k < 240 && !up; k++) {
      up = (await get(`${base}/api?token=${token}`))?.status === 200;
      if (!up) await sleep(500);
    }
    assert.ok(up, `JupyterLab did not come up on ${base}:\n${log.slice(-3000)}`);
    assert.equal((await get(`${base}/api/contents?token=wrong`))?.status, 403, "token authentication is on");
    const settings = await get(`${base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token=${token}`);
    assert.equal(settings?.status, 200);
    // overrides.json replaces the schema's defaults, which is what a fresh lab uses
    const props = (JSON.parse(settings!.body) as { schema: { properties: Record<string, { default?: unknown }> } }).schema.properties;
    assert.equal(props.fetchNews.default, "false", "the news prompt is off");
    assert.equal(props.checkForUpdates.default, false);

    const t0 = Date.now();
    npm.kill("SIGTERM");
    let closed = false;
    while (!closed && Date.now() - t0 < 10000) {
      closed = (await get(`${base}/api?token=${token}`)) === null;
      if (!closed) await sleep(200);
    }
    assert.ok(closed, "the port still answers 10 s after SIGTERM");
    let left = processesOn(port);
    for (let k = 0; k < 50 && left.length > 0; k++) {
      await sleep(200);
      left = processesOn(port);
    }
    assert.deepEqual(left, [], "processes left running after SIGTERM");
  } finally {
    for (const line of processesOn(port)) {
      const pid = Number(line.trim().split(/\s+/)[0]);
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
});
