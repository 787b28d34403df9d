import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { test } from "node:test";
import { instanceFromJSON, instanceFromNpz, instanceToJSON, loadInstance, parseNpy, saveInstance } from "../../src/io";
import { ea2d, isingSquare, spinSystem, type SpinSystem } from "../../src/systems";

const TWOBO = path.resolve(__dirname, "../../data/twobo");
const FIX = path.resolve(__dirname, "../fixtures/twobo");

function edgeMap(s: SpinSystem): Map<string, number> {
  const m = new Map<string, number>();
  for (let k = 0; k < s.edges.i.length; k++) m.set(`${s.edges.i[k]},${s.edges.j[k]}`, s.edges.J[k]);
  return m;
}

// ---- builders for hand-made .npy / .npz files
function npy(descr: string, shape: number[], body: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const pre = Buffer.alloc(10);
  pre[0] = 0x93;
  pre.write("NUMPY", 1, "latin1");
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, "latin1"), body]);
}
function i8(v: number[]): Buffer {
  const b = Buffer.alloc(8 * v.length);
  v.forEach((x, k) => b.writeBigInt64LE(BigInt(x), 8 * k));
  return b;
}
function f8(v: number[]): Buffer {
  const b = Buffer.alloc(8 * v.length);
  v.forEach((x, k) => b.writeDoubleLE(x, 8 * k));
  return b;
}
function zip(members: Array<[string, Buffer]>, deflate: boolean): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const comp = deflate ? zlib.deflateRawSync(data) : data;
    const crc = zlib.crc32(data) >>> 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const nameBuf = Buffer.from(name);
    locals.push(lh, nameBuf, comp);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, nameBuf);
    offset += 30 + nameBuf.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
/** A scipy-style CSR .npz of the given (row, col, value) entries. */
function csrNpz(n: number, entries: Array<[number, number, number]>, deflate = true, shape = [n, n]): Buffer {
  const rows: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
  for (const [r, c, v] of entries) rows[r].push([c, v]);
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (const row of rows) {
    for (const [c, v] of row) {
      indices.push(c);
      data.push(v);
    }
    indptr.push(indices.length);
  }
  return zip(
    [
      ["indices.npy", npy("<i4", [indices.length], Buffer.from(new Int32Array(indices).buffer))],
      ["indptr.npy", npy("<i8", [indptr.length], i8(indptr))],
      ["format.npy", npy("|S3", [], Buffer.from("csr"))],
      ["shape.npy", npy("<i8", [2], i8(shape))],
      ["data.npy", npy("<f8", [data.length], f8(data))],
    ],
    deflate,
  );
}

test("the TwoBo .npz reader gives the same system as the JSON of the same couplings", () => {
  for (const name of ["2D_EA_PM_L4_0", "3D_EA_PM_L2_0", "RRG_PM_d3_N32_0"]) {
    const fromNpz = loadInstance(path.join(TWOBO, `${name}.npz`));
    const fromJson = loadInstance(path.join(FIX, `${name}.json`));
    assert.equal(fromNpz.n, fromJson.n);
    assert.deepEqual(edgeMap(fromNpz), edgeMap(fromJson));
    assert.deepEqual(fromNpz.geometry, fromJson.geometry, name);
    assert.equal(fromNpz.name, name);
    const x = Float64Array.from({ length: fromNpz.n }, (_, k) => (Math.sin(3 * k) > 0 ? 1 : -1));
    assert.equal(fromNpz.energyOf(x), fromJson.energyOf(x));
  }
  const l4 = loadInstance(path.join(TWOBO, "2D_EA_PM_L4_1.npz"));
  assert.deepEqual(l4.geometry, { grid: [4, 4], periodic: [true, true] });
  assert.equal(l4.edges.i.length, 32);
  assert.equal(loadInstance(path.join(TWOBO, "RRG_PM_d3_N32_0.npz")).geometry, null);
  // every site of the periodic 4×4 grid has its 4 lattice neighbours
  for (let s = 0; s < 16; s++) {
    const r = Math.floor(s / 4);
    const c = s % 4;
    const nb = Array.from(l4.neighbors.index.subarray(l4.neighbors.offsets[s], l4.neighbors.offsets[s + 1])).sort((a, b) => a - b);
    const want = [((r + 1) % 4) * 4 + c, ((r + 3) % 4) * 4 + c, r * 4 + ((c + 1) % 4), r * 4 + ((c + 3) % 4)].sort((a, b) => a - b);
    assert.deepEqual(nb, want);
  }
});

test("hand-made npz files: stored and deflated members, int32/float64 arrays", () => {
  const entries: Array<[number, number, number]> = [[0, 1, 0.5], [0, 3, -1.25], [2, 3, 2]];
  for (const deflate of [false, true]) {
    const s = instanceFromNpz(csrNpz(4, entries, deflate));
    assert.deepEqual(edgeMap(s), new Map([["0,1", 0.5], ["0,3", -1.25], ["2,3", 2]]));
  }
  assert.deepEqual(parseNpy(npy("<f8", [2], f8([1.5, -2]))).data, Float64Array.from([1.5, -2]));
});

test("bad npz instances are rejected with what is wrong", () => {
  assert.throws(() => instanceFromNpz(csrNpz(3, [[1, 1, 1]])), /self-loop on site 1/);
  assert.throws(() => instanceFromNpz(csrNpz(3, [[0, 1, 1], [1, 0, 1]])), /duplicated edge \(0, 1\)/);
  assert.throws(() => instanceFromNpz(csrNpz(3, [[0, 5, 1]])), /column index 5 out of range/);
  assert.throws(() => instanceFromNpz(csrNpz(3, [[0, 1, NaN]])), /finite/);
  assert.throws(() => instanceFromNpz(csrNpz(3, [[0, 1, 1]], true, [3, 4])), /must be square/);
  const good = csrNpz(3, [[0, 1, 1]]);
  assert.throws(() => instanceFromNpz(good.subarray(0, good.length - 30)), /zip|truncated|central directory/);
  assert.throws(() => instanceFromNpz(Buffer.from("not a zip file at all, definitely not")), /not a zip archive/);
  const corrupt = Buffer.from(csrNpz(3, [[0, 1, 1]], false));
  corrupt[60] ^= 0xff; // inside the first member's data
  assert.throws(() => instanceFromNpz(corrupt), /CRC|malformed|magic|npy/);
  const noData = zip([["indices.npy", npy("<i8", [0], Buffer.alloc(0))]], false);
  assert.throws(() => instanceFromNpz(noData), /missing "format.npy"/);
});

test("JSON instances: save/load round trip, and every kind of bad instance rejected", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-io-"));
  try {
    const sys = spinSystem({ n: 6, edges: [[0, 1, 0.25], [4, 2, -1.5], [3, 5, 1e-3]], fields: [0, 0.5, 0, 0, -0.1, 0], geometry: { grid: [2, 3], periodic: [false, true] }, name: "t" });
    const f = path.join(dir, "t.json");
    saveInstance(sys, f);
    const back = loadInstance(f);
    assert.deepEqual(instanceToJSON(back), instanceToJSON(sys));
    assert.deepEqual(edgeMap(back), new Map([["0,1", 0.25], ["2,4", -1.5], ["3,5", 1e-3]]));
    const e = ea2d({ L: 5, seed: 4, couplings: "gauss" });
    saveInstance(e, path.join(dir, "e.json"));
    const eb = loadInstance(path.join(dir, "e.json"));
    assert.deepEqual(Array.from(eb.edges.J), Array.from(e.edges.J));
    assert.deepEqual(eb.geometry, e.geometry);
    assert.deepEqual(instanceToJSON(isingSquare({ L: 3 })).geometry, { grid: [3, 3], periodic: [true, true] });

    const bad = (doc: string, re: RegExp) => {
      const p = path.join(dir, "bad.json");
      fs.writeFileSync(p, doc);
      assert.throws(() => loadInstance(p), re, doc);
    };
    bad('{"n": 3, "edges": [[0, 1, 1], [1, 1, 2]]}', /self-loop on site 1/);
    bad('{"n": 3, "edges": [[0, 3, 1]]}', /out of range/);
    bad('{"n": 3, "edges": [[0, 1, 1], [1, 0, 1]]}', /duplicated edge/);
    bad('{"n": 3, "edges": [[0, 1, null]]}', /finite number/);
    bad('{"n": 3, "edges": [[0, 1]]}', /triple/);
    bad('{"n": 3, "edges": [[0, 1, 1]], "fields": [1, 2]}', /fields has length 2/);
    bad('{"n": 4, "edges": [], "geometry": {"grid": [3, 3], "periodic": [true, true]}}', /9 sites but n = 4/);
    bad('{"n": 3, "edges": [], "extra": 1}', /unknown key "extra"/);
    bad('{"edges": []}', /missing "n"/);
    bad('{"n": 3, "edges": [[0, 1, 1]', /malformed JSON/);
    bad("[1, 2, 3]", /must be a JSON object/);
    assert.throws(() => loadInstance(path.join(dir, "missing.json")), /cannot read/);
    assert.throws(() => loadInstance(path.join(dir, "x.txt")), /cannot tell the format/);
    assert.throws(() => instanceFromJSON({ n: 2, edges: "0-1" }), /"edges" must be an array/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
