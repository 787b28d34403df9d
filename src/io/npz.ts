/**
 * A minimal reader of NumPy `.npy` arrays and `.npz` archives (zip files of
 * `.npy` members, stored or deflated), enough for `scipy.sparse.save_npz`
 * output. No dependencies beyond node's zlib.
 */
import zlib from "node:zlib";

/** A decoded `.npy` array: flat data plus shape. */
export interface NpyArray {
  /** dtype descriptor as in the header, e.g. "<i8", "<f8", "|b1", "|S3". */
  dtype: string;
  shape: number[];
  /** Numbers for numeric/bool dtypes (int64 converted to double, must be exact), strings for "S"/"U". */
  data: Float64Array | string[];
}

function fail(where: string, msg: string): never {
  throw new Error(`${where}: ${msg}`);
}

/** Parses one `.npy` buffer. */
export function parseNpy(buf: Uint8Array, where = "parseNpy"): NpyArray {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 10 || b[0] !== 0x93 || b.toString("latin1", 1, 6) !== "NUMPY") fail(where, "not a .npy array (bad magic)");
  const major = b[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = b.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (b.length < 12) fail(where, "truncated .npy header");
    headerLen = b.readUInt32LE(8);
    start = 12;
  } else fail(where, `unsupported .npy version ${major}`);
  if (start + headerLen > b.length) fail(where, "truncated .npy header");
  const header = b.toString(major === 3 ? "utf8" : "latin1", start, start + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(where, `malformed .npy header ${JSON.stringify(header.trim())}`);
  const shape = shapeText
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0)
    .map((x) => {
      const v = Number(x);
      if (!Number.isInteger(v) || v < 0) fail(where, `bad shape entry ${JSON.stringify(x)}`);
      return v;
    });
  const count = shape.reduce((p, q) => p * q, 1);
  if (fortran === "True" && shape.length > 1) fail(where, "Fortran-ordered arrays are not supported");
  const body = b.subarray(start + headerLen);
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (m === null) fail(where, `unsupported dtype ${JSON.stringify(descr)}`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  if (order === ">" && size > 1) fail(where, `big-endian dtype ${descr} is not supported`);
  if (kind === "S" || kind === "U") {
    const width = kind === "U" ? size * 4 : size;
    if (body.length < count * width) fail(where, `data too short for ${count} × ${descr}`);
    const out: string[] = [];
    for (let k = 0; k < count; k++) {
      const chunk = body.subarray(k * width, (k + 1) * width);
      let s = "";
      if (kind === "S") s = chunk.toString("latin1");
      else for (let c = 0; c < size; c++) s += String.fromCodePoint(chunk.readUInt32LE(4 * c));
      out.push(s.replace(/\0+$/, ""));
    }
    return { dtype: descr, shape, data: out };
  }
  if (body.length < count * size) fail(where, `data too short: ${body.length} bytes for ${count} × ${descr}`);
  const data = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const o = k * size;
    let v: number;
    switch (kind + size) {
      case "b1": v = body[o] !== 0 ? 1 : 0; break;
      case "i1": v = body.readInt8(o); break;
      case "u1": v = body[o]; break;
      case "i2": v = body.readInt16LE(o); break;
      case "u2": v = body.readUInt16LE(o); break;
      case "i4": v = body.readInt32LE(o); break;
      case "u4": v = body.readUInt32LE(o); break;
      case "i8": {
        const big = body.readBigInt64LE(o);
        v = Number(big);
        if (BigInt(v) !== big) fail(where, `int64 value ${big} at position ${k} is not exactly representable`);
        break;
      }
      case "u8": {
        const big = body.readBigUInt64LE(o);
        v = Number(big);
        if (BigInt(v) !== big) fail(where, `uint64 value ${big} at position ${k} is not exactly representable`);
        break;
      }
      case "f4": v = body.readFloatLE(o); break;
      case "f8": v = body.readDoubleLE(o); break;
      default: fail(where, `unsupported dtype ${JSON.stringify(descr)}`);
    }
    data[k] = v;
  }
  return { dtype: descr, shape, data };
}

/** Reads the members of a zip archive (stored or deflated; no zip64, no encryption). */
export function readZip(buf: Uint8Array, where = "readZip"): Map<string, Buffer> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let p = b.length - 22; p >= Math.max(0, b.length - 22 - 65535); p--) {
    if (b.readUInt32LE(p) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail(where, "not a zip archive (no end-of-central-directory record)");
  const entries = b.readUInt16LE(eocd + 10);
  const cdSize = b.readUInt32LE(eocd + 12);
  const cdOffset = b.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || entries === 0xffff) fail(where, "zip64 archives are not supported");
  if (cdOffset + cdSize > b.length) fail(where, "truncated zip archive (central directory out of range)");
  const out = new Map<string, Buffer>();
  let p = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) fail(where, `bad central directory entry ${e}`);
    const flags = b.readUInt16LE(p + 8);
    const method = b.readUInt16LE(p + 10);
    const crc = b.readUInt32LE(p + 16);
    const csize = b.readUInt32LE(p + 20);
    const usize = b.readUInt32LE(p + 24);
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const name = b.toString("utf8", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if ((flags & 1) !== 0) fail(where, `member ${name} is encrypted`);
    if (csize === 0xffffffff || usize === 0xffffffff || local === 0xffffffff) fail(where, "zip64 archives are not supported");
    if (local + 30 > b.length || b.readUInt32LE(local) !== 0x04034b50) fail(where, `bad local header for member ${name}`);
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    if (start + csize > b.length) fail(where, `member ${name} is truncated`);
    const raw = b.subarray(start, start + csize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch (err) {
        fail(where, `member ${name} does not inflate (${(err as Error).message})`);
      }
    } else fail(where, `member ${name} uses unsupported compression method ${method}`);
    if (data.length !== usize) fail(where, `member ${name} has ${data.length} bytes, expected ${usize}`);
    if (zlib.crc32 !== undefined && (zlib.crc32(data) >>> 0) !== crc) fail(where, `member ${name} fails its CRC check`);
    out.set(name, data);
  }
  return out;
}

/** Parses a `.npz` archive into its arrays, keyed by name without the `.npy` suffix. */
export function parseNpz(buf: Uint8Array, where = "parseNpz"): Map<string, NpyArray> {
  const members = readZip(buf, where);
  const out = new Map<string, NpyArray>();
  for (const [name, data] of members) {
    if (!name.endsWith(".npy")) continue;
    out.set(name.slice(0, -4), parseNpy(data, `${where} (${name})`));
  }
  return out;
}
