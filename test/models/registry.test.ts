/** Models serialise themselves: config() → fromConfig (directly and through the registry) rebuilds the same architecture. */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Made, made } from "../../src/models/made";
import { PixelCnn, pixelcnn } from "../../src/models/pixelcnn";
import { TwoBo, twobo } from "../../src/models/twobo";
import { PottsMade, pottsMade } from "../../src/models/pottsMade";
import { PottsPixelCnn, pottsPixelcnn } from "../../src/models/pottsPixelcnn";
import { XyMade, xyMade } from "../../src/models/xyMade";
import { modelFromConfig, modelTypes, registerModelType, type ModelClass } from "../../src/models/registry";
import type { ModelConfig, ModelContext, SpinModel } from "../../src/models/spin";
import { ea2d, isingSquare, rrg } from "../../src/systems";
import type { SpinSystem } from "../../src/systems/types";
import { allStateArrays } from "./helpers";

ensureBackend();
const root = path.resolve(__dirname, "..", "..");

interface Case {
  label: string;
  build: () => SpinModel;
  context?: ModelContext;
}

const grid = ea2d({ L: 3, seed: 2 });
const torus = isingSquare({ L: 4 });
const graph = rrg({ n: 10, seed: 3 });

/** A few architectures of every built-in family (each option that shapes the variables or the numerics set at least once). */
const CASES: Record<string, { cls: ModelClass; cases: Case[] }> = {
  made: {
    cls: Made,
    cases: [
      { label: "made default", build: () => made({ size: 9, seed: 1 }) },
      { label: "made deep residual z2", build: () => made({ size: 10, depth: 4, width: 3, residual: true, z2: true, biasFreeFirst: true, seed: 2 }) },
      { label: "made logistic, no bias", build: () => made({ size: 8, depth: 1, bias: false, epsilon: 1e-4, seed: 3 }) },
    ],
  },
  pixelcnn: {
    cls: PixelCnn,
    cases: [
      { label: "pixelcnn open", build: () => pixelcnn({ L: 3, cols: 4, depth: 3, width: 3, halfKernel: 1, seed: 1 }) },
      { label: "pixelcnn residual z2 periodic", build: () => pixelcnn({ system: torus, depth: 3, width: 2, halfKernel: 1, residual: true, z2: true, seed: 2 }) },
      { label: "pixelcnn first-spin z2", build: () => pixelcnn({ system: torus, depth: 2, width: 2, halfKernel: 2, z2: true, z2Method: "first-spin", seed: 3 }) },
      { label: "pixelcnn depth 1, no bias", build: () => pixelcnn({ L: 3, depth: 1, halfKernel: 1, bias: false, epsilon: 1e-3, seed: 4 }) },
    ],
  },
  twobo: {
    cls: TwoBo,
    cases: [
      { label: "twobo default", build: () => twobo({ system: grid, seed: 1 }), context: { system: grid } },
      { label: "twobo full frontier z2", build: () => twobo({ system: graph, reach: Infinity, hidden: [4, 3], z2: true, biasFreeFirst: true, seed: 2 }), context: { system: graph } },
      { label: "twobo skip only", build: () => twobo({ system: grid, hidden: [], betaSkip: false, skipWeight: 1.5, seed: 3 }), context: { system: grid } },
    ],
  },
  "potts-made": {
    cls: PottsMade,
    cases: [
      { label: "potts-made q=3", build: () => pottsMade({ size: 6, q: 3, seed: 1 }) as unknown as SpinModel },
      { label: "potts-made deep residual first-state", build: () => pottsMade({ size: 6, q: 4, depth: 3, width: 2, residual: true, symmetry: "first-state", seed: 2 }) as unknown as SpinModel },
      { label: "potts-made mixture, no bias", build: () => pottsMade({ size: 5, q: 3, depth: 1, bias: false, symmetry: "mixture", epsilon: 1e-4, seed: 3 }) as unknown as SpinModel },
    ],
  },
  "potts-pixelcnn": {
    cls: PottsPixelCnn,
    cases: [
      { label: "potts-pixelcnn open", build: () => pottsPixelcnn({ L: 3, cols: 4, q: 3, depth: 3, width: 3, halfKernel: 1, seed: 1 }) as unknown as SpinModel },
      { label: "potts-pixelcnn periodic first-state residual", build: () => pottsPixelcnn({ L: 4, q: 3, depth: 3, width: 2, halfKernel: 1, residual: true, periodic: true, symmetry: "first-state", seed: 2 }) as unknown as SpinModel },
      ],
    },
  // XY-MADE is not a spin model, but has config(), variableNames and logProbArrays (of angles: the ±1 test states are angles too)
  xymade: {
    cls: XyMade,
    cases: [
      { label: "xymade default", build: () => xyMade({ size: 6, seed: 1 }) as unknown as SpinModel },
      { label: "xymade deep residual rotation", build: () => xyMade({ size: 5, components: 2, depth: 3, width: 2, residual: true, symmetry: "rotation", kappaMax: 30, seed: 2 }) as unknown as SpinModel },
      { label: "xymade logistic, no bias, uniform first", build: () => xyMade({ size: 5, components: 1, depth: 1, bias: false, symmetry: "uniformFirst", seed: 3 }) as unknown as SpinModel },
    ],
  },
};

/** Move every weight away from its initial value (seeded), so that rebuilt models agree only through copied weights. */
function perturb(m: SpinModel, seed: number): void {
  tf.tidy(() => m.trainableVariables.forEach((v, k) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.5, "float32", seed + k)))));
}

/** Copy the weights of `from` into `to` by name (the names and shapes must match, as a checkpoint requires). */
function copyWeights(from: SpinModel, to: SpinModel): void {
  assert.deepEqual(to.variableNames, from.variableNames);
  to.trainableVariables.forEach((v, k) => {
    assert.deepEqual(v.shape, from.trainableVariables[k].shape, `shape of ${to.variableNames[k]}`);
    v.assign(from.trainableVariables[k]);
  });
}

/** Rebuild `m` through `rebuild`, and check: identical config, identical ln q once the weights are copied. */
function checkRoundTrip(m: SpinModel, rebuild: (c: ModelConfig) => SpinModel, label: string): void {
  const config = m.config();
  const copy = rebuild(JSON.parse(JSON.stringify(config)) as ModelConfig); // as stored in a checkpoint
  try {
    assert.equal(copy.constructor, m.constructor, `${label}: same class`);
    assert.deepEqual(copy.config(), config, `${label}: config() → fromConfig → config()`);
    copyWeights(m, copy);
    const n = m.size;
    const batch = 24;
    const x = allStateArrays(n).subarray(0, batch * n);
    for (let b = 0; b < batch; b += 3) for (let i = 0; i < n; i += 2) x[b * n + i] = -x[b * n + i]; // not only the first states
    const q = (m as unknown as { domain?: string; q?: number }).domain === "potts" ? (m as unknown as { q: number }).q : 0;
    if (q > 0) for (let k = 0; k < x.length; k++) x[k] = ((x[k] + 1) / 2 + (k % 3)) % q; // q-state models take states 0…q−1
    assert.deepEqual(Array.from(copy.logProbArrays(x, batch)), Array.from(m.logProbArrays(x, batch)), `${label}: ln q (arrays)`);
    const [a, b] = tf.tidy(() => {
      const xt = tf.tensor2d(x, [batch, n]);
      return [Array.from(m.logProb(xt).dataSync()), Array.from(copy.logProb(xt).dataSync())];
    });
    assert.deepEqual(b, a, `${label}: ln q (tensors)`);
    assert.ok(a.every(Number.isFinite));
  } finally {
    copy.dispose();
  }
}

test("every registered model type has round-trip cases here", () => {
  assert.deepEqual(modelTypes(), Object.keys(CASES).sort());
});

test("config() → fromConfig (the class's and the registry's) gives the identical config and ln q, and leaks no tensors", () => {
  for (const [type, { cls, cases }] of Object.entries(CASES)) {
    for (const c of cases) {
      const before = tf.memory().numTensors;
      const m = c.build();
      perturb(m, 17);
      assert.equal(m.config().type, type);
      checkRoundTrip(m, (config) => cls.fromConfig(config, c.context) as SpinModel, `${c.label} (${type} fromConfig)`);
      checkRoundTrip(m, (config) => modelFromConfig(config, c.context ?? {}) as SpinModel, `${c.label} (modelFromConfig)`);
      m.dispose();
      assert.equal(tf.memory().numTensors, before, `${c.label}: no tensors left behind`);
    }
  }
});

test("configs already stored in checkpoints rebuild as before: the shipped PixelCNN, and PixelCNN configs without periodic/z2Method", () => {
  const file = JSON.parse(fs.readFileSync(path.join(root, "data", "models", "ising-L16-beta0.44-pixelcnn.json"), "utf8")) as { config: ModelConfig; variables: { name: string; shape: number[] }[] };
  const shipped = modelFromConfig(file.config) as PixelCnn;
  assert.deepEqual(shipped.config(), file.config);
  assert.deepEqual(shipped.variableNames, file.variables.map((v) => v.name));
  assert.deepEqual(shipped.trainableVariables.map((v) => v.shape), file.variables.map((v) => v.shape));
  shipped.dispose();
  // written before periodic PixelCNNs and first-spin Z2 existed: open boundaries, mixture Z2, no new keys written back
  const old: ModelConfig = { type: "pixelcnn", size: 16, rows: 4, cols: 4, depth: 2, width: 3, halfKernel: 1, residual: false, z2: true, bias: true, biasFreeFirst: false, epsilon: 1e-7 };
  const m = modelFromConfig(old) as PixelCnn;
  assert.deepEqual(m.config(), old);
  assert.equal(m.periodic, false);
  assert.equal(m.z2Method, "mixture");
  const fresh = pixelcnn({ L: 4, depth: 2, width: 3, halfKernel: 1, z2: true, biasFreeFirst: false, seed: 1 });
  assert.deepEqual(m.trainableVariables.map((v) => v.shape), fresh.trainableVariables.map((v) => v.shape));
  fresh.dispose();
  m.dispose();
});

test("an unknown type names itself and the known types; bad configs are refused, leaving nothing behind", () => {
  const sys = ea2d({ L: 3, seed: 2 });
  const other: SpinSystem = rrg({ n: 10, seed: 1 });
  const tw = twobo({ system: sys, seed: 1 });
  const twConfig = tw.config();
  tw.dispose();
  const madeConfig = made({ size: 4, seed: 1 }).config();
  const pcConfig: ModelConfig = { type: "pixelcnn", size: 9, rows: 3, cols: 3, depth: 2, width: 2, halfKernel: 1, residual: false, z2: false, bias: true, biasFreeFirst: true, epsilon: 1e-7 };
  const cases: [string, () => unknown, RegExp][] = [
    ["unknown type", () => modelFromConfig({ type: "nope", size: 3 }), /modelFromConfig: unknown model type "nope" \(known: made, pixelcnn, potts-made, potts-pixelcnn, twobo, xymade\)/],
    ["no type", () => modelFromConfig({ size: 3 } as unknown as ModelConfig), /modelFromConfig: config must be an object with a string `type`/],
    ["null config", () => modelFromConfig(null as unknown as ModelConfig), /modelFromConfig: config must be an object/],
    ["inherited key as type", () => modelFromConfig({ type: "toString", size: 3 }), /unknown model type "toString"/],
    ["another class's config", () => Made.fromConfig(pcConfig), /made\.fromConfig: config\.type must be "made", got "pixelcnn"/],
    ["unknown key (made)", () => modelFromConfig({ ...madeConfig, heads: 2 }), /made\.fromConfig: unknown config key "heads" \(known: type, size, depth/],
    ["unknown key (pixelcnn)", () => modelFromConfig({ ...pcConfig, convolution: "masked" }), /pixelcnn\.fromConfig: unknown config key "convolution"/],
    ["bad value", () => modelFromConfig({ ...madeConfig, depth: 0 }), /made: depth/],
    ["no rows", () => modelFromConfig({ ...pcConfig, rows: undefined }), /pixelcnn\.fromConfig: config\.rows must be an integer/],
    ["size ≠ rows·cols", () => modelFromConfig({ ...pcConfig, size: 10 }), /pixelcnn\.fromConfig: config\.size 10 is not rows·cols = 3·3/],
    ["twobo without its system", () => modelFromConfig(twConfig), /twobo\.fromConfig: a twobo model needs its system \(the couplings of "ea-2d/],
    ["twobo on another system", () => modelFromConfig(twConfig, { system: other }), /was made for "ea-2d.*\(9 spins, \d+ features\), not for "rrg/],
    ["twobo on a same-size system with other features", () => modelFromConfig(twConfig, { system: isingSquare({ L: 3, boundary: "open" }) }), /was made for .*not for "ising/],
    ["register: empty type", () => registerModelType("", Made), /registerModelType: type must be a non-empty string/],
    ["register: not a class or factory", () => registerModelType("x", {} as unknown as ModelClass), /registerModelType: model must be a class with a static fromConfig or a factory function/],
  ];
  const before = tf.memory().numTensors;
  for (const [label, run, message] of cases) assert.throws(run, message, label);
  assert.equal(tf.memory().numTensors, before, "refused configs leave no tensors behind");
});

test("registerModelType takes a class with a static fromConfig (or a factory); a registered type overrides a built-in one", () => {
  class Tiny {
    static fromConfig(config: ModelConfig) {
      return made({ size: config.size, depth: 1, seed: 1 });
    }
  }
  registerModelType("tiny", Tiny);
  assert.ok(modelTypes().includes("tiny"));
  const m = modelFromConfig({ type: "tiny", size: 5 });
  assert.equal(m.size, 5);
  m.dispose();
  let calls = 0;
  registerModelType("made", (config) => {
    calls++;
    return Made.fromConfig(config);
  });
  modelFromConfig(made({ size: 3, seed: 1 }).config()).dispose();
  assert.equal(calls, 1);
  assert.deepEqual(modelTypes(), ["made", "pixelcnn", "potts-made", "potts-pixelcnn", "tiny", "twobo", "xymade"]);
});
