/**
 * van-3 in its quick setting (Hopfield N = 100, P = 2 at β = 0.5 and 1.5;
 * VAN 400 steps, Metropolis 2000 sweeps): the CSV's columns and the physics —
 * at β = 1.5 (retrieval phase) the VAN's samples fill all 2P = 4 modes ±ξ^μ
 * and more than the Metropolis chain does, and its mean retrieval overlap is
 * within 0.03 of Metropolis' (same quantity, independent sampler) and within
 * 0.1 of the mean-field m* = tanh(βm*) = 0.8586 (N = 100 and the patterns'
 * crosstalk lower it); at β = 0.5 (paramagnet) the overlap is below 0.25.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";
import { retrievalOverlap } from "../../src/figures/van3";

test("m* = tanh(βm*)", () => {
  assert.equal(retrievalOverlap(0.9), 0);
  const m = retrievalOverlap(1.5);
  assert.ok(Math.abs(m - Math.tanh(1.5 * m)) < 1e-12 && m > 0.85 && m < 0.87);
});

test("van-3 quick: columns, VAN fills the four retrieval modes, overlap against Metropolis and m*", async () => {
  const out = tempDir("bz-van3-");
  const r = await run("van-3", { out, progress: false });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "van-3.csv"), "utf8").split("\n")[0];
  assert.equal(header, "panel,method,beta,quantity,m1,m2,value,error,reference");
  const get = (method: string, beta: number, q: string) => r.rows.find((x) => x.panel === "summary" && x.method === method && x.beta === beta && x.quantity === q) as Record<string, number>;
  const van = get("VAN (MADE)", 1.5, "retrievalOverlap");
  const mc = get("Metropolis", 1.5, "retrievalOverlap");
  assert.equal(get("VAN (MADE)", 1.5, "modesVisited").value, 4);
  assert.ok(get("VAN (MADE)", 1.5, "modesVisited").value > get("Metropolis", 1.5, "modesVisited").value);
  assert.ok(Math.abs(van.value - mc.value) < 0.03, `VAN ${van.value} vs Metropolis ${mc.value}`);
  assert.ok(Math.abs(van.value - van.reference) < 0.1, `VAN ${van.value} vs m* ${van.reference}`);
  assert.ok(get("VAN (MADE)", 0.5, "retrievalOverlap").value < 0.25);
  assert.ok(r.rows.filter((x) => x.panel === "samples").length >= 4 * 100);
});
