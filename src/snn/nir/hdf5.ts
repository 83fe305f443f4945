/**
 * `.nir` files: HDF5, read and written with h5wasm (the HDF5 C library
 * compiled to WebAssembly; imported only here, when a file is read or
 * written, never at CLI start). The layout is neuromorphs/NIR's
 * nir/serialization.py (NIR 1.0):
 *
 *   /version                 string
 *   /node/type               "NIRGraph"
 *   /node/nodes/<name>/type  the primitive ("LIF", "Affine", ...)
 *   /node/nodes/<name>/<p>   one dataset per parameter (arrays gzip-compressed)
 *   /node/nodes/<name>/metadata/...   optional
 *   /node/edges              [n × 2] strings: source, target
 *   /node/metadata/...       optional; this project writes dt (seconds)
 *
 * Nested NIRGraph nodes are read recursively and flattened (graph.ts).
 * Strings are variable-length UTF-8, as h5py's string_dtype writes them.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync } from "node:fs";
import { UserError } from "../../core/errors.js";
import {
  NIR_PRIMITIVES,
  flatten,
  sizeOf,
  type NirArray,
  type NirGraph,
  type NirGraphNode,
  type NirNode,
  type NirPrimitive,
} from "./graph.js";

/** The NIR release whose file layout this writer follows (neuromorphs/NIR 1.0.7). */
export const NIR_VERSION = "1.0.7";

type H5 = typeof import("h5wasm/node").default;
type H5Group = InstanceType<H5["Group"]>;

let h5: Promise<H5> | undefined;
/** The library once started (after `nirReady`), for synchronous reads. */
let started: H5 | undefined;
async function loadH5(): Promise<H5> {
  if (h5 === undefined) {
    h5 = import("h5wasm/node").then(async (m) => {
      await m.default.ready;
      started = m.default;
      return m.default;
    });
  }
  return h5;
}

/** Starts h5wasm (imported on first use); after it, `readNirSync` works. */
export async function nirReady(): Promise<void> {
  await loadH5();
}

function toArray(value: unknown, shape: number[] | null, dtype: string): NirArray | string | undefined {
  const s = shape ?? [];
  if (typeof value === "string") return value;
  if (typeof value === "number") return { shape: s, data: Float64Array.of(value), dtype: "f64" };
  if (typeof value === "bigint") return { shape: s, data: Int32Array.of(Number(value)), dtype: "i64" };
  if (value instanceof Float32Array) return { shape: s, data: value, dtype: "f32" };
  if (value instanceof Float64Array) return { shape: s, data: value, dtype: "f64" };
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    return { shape: s, data: Int32Array.from(value, (x) => Number(x)), dtype: "i64" };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const xs = value as unknown as ArrayLike<number>;
    return { shape: s, data: dtype.includes("f") ? Float64Array.from(xs) : Int32Array.from(xs), dtype: "f64" };
  }
  return undefined;
}

/** Reads a `.nir` file into a flat graph. Errors name the file and the node. */
export async function readNir(path: string): Promise<NirGraph> {
  return readWith(await loadH5(), path);
}

/** `readNir` without waiting: h5wasm must have been started with `await nirReady()`. */
export function readNirSync(path: string): NirGraph {
  if (started === undefined)
    throw new Error("readNirSync: call `await nirReady()` first (h5wasm starts asynchronously)");
  return readWith(started, path);
}

/** HDF5's format signature, at offset 0 or at a user block's end (512, 1024, 2048, ... bytes; HDF5 spec, II.A). */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether the file carries HDF5's signature where the format allows it (checked before the library opens it). */
function hasHdf5Signature(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      if (readSync(fd, head, 0, 8, at) === 8 && head.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function readWith(lib: H5, path: string): NirGraph {
  if (!existsSync(path)) throw new UserError("E_FILE_NOT_FOUND", `${path}: no such NIR file`);
  // Without this the library prints its own error stack for every non-HDF5 file before ours.
  if (!hasHdf5Signature(path)) {
    throw new UserError("E_FILE_UNREADABLE", `${path}: not an HDF5 file (no HDF5 signature): not a NIR file`);
  }
  let f: InstanceType<H5["File"]>;
  try {
    f = new lib.File(path, "r");
  } catch (e) {
    throw new UserError("E_FILE_UNREADABLE", `${path}: cannot open as HDF5 (${(e as Error).message})`);
  }
  try {
    const root = f.get("node");
    if (!(root instanceof lib.Group)) throw new UserError("E_DATA_INVALID", `${path}: no "node" group: not a NIR file`);
    const version = f.get("version");
    const v = version instanceof lib.Dataset ? version.value : undefined;
    const graph = readNode(lib, path, "node", root);
    if (graph.type !== "NIRGraph") {
      throw new UserError("E_DATA_INVALID", `${path}: the root node is a ${graph.type}, not a NIRGraph`);
    }
    return flatten(graph, typeof v === "string" ? v : "");
  } finally {
    f.close();
  }
}

function readMetadata(lib: H5, g: H5Group): Record<string, number | string> {
  // Prototype-free: keys come from the file.
  const out: Record<string, number | string> = Object.create(null);
  const md = g.get("metadata");
  if (!(md instanceof lib.Group)) return out;
  for (const k of md.keys()) {
    const d = md.get(k);
    if (!(d instanceof lib.Dataset)) continue;
    const a = toArray(d.value, d.shape, String(d.dtype));
    if (typeof a === "string") out[k] = a;
    else if (a !== undefined && a.data.length === 1) out[k] = a.data[0]!;
  }
  return out;
}

function readNode(lib: H5, file: string, name: string, g: H5Group): NirNode | NirGraphNode {
  const typeDs = g.get("type");
  const type = typeDs instanceof lib.Dataset ? typeDs.value : undefined;
  if (typeof type !== "string") throw new UserError("E_DATA_INVALID", `${file}: node "${name}" has no type string`);
  if (type === "NIRGraph") {
    const nodesGroup = g.get("nodes");
    if (!(nodesGroup instanceof lib.Group))
      throw new UserError("E_DATA_INVALID", `${file}: graph "${name}" has no nodes`);
    const nodes = new Map<string, NirNode | NirGraphNode>();
    for (const k of nodesGroup.keys()) {
      const child = nodesGroup.get(k);
      if (child instanceof lib.Group) nodes.set(k, readNode(lib, file, k, child));
    }
    const e = g.get("edges");
    const flat = e instanceof lib.Dataset ? e.value : undefined;
    const list = Array.isArray(flat) ? flat.map(String) : [];
    const edges: [string, string][] = [];
    for (let k = 0; k + 1 < list.length; k += 2) edges.push([list[k]!, list[k + 1]!]);
    return { type: "NIRGraph", nodes, edges, metadata: readMetadata(lib, g) };
  }
  if (!(NIR_PRIMITIVES as readonly string[]).includes(type)) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: node "${name}" is a ${type}, which this project does not run (it reads ${NIR_PRIMITIVES.join(", ")}, and NIRGraph)`,
    );
  }
  const params: Record<string, NirArray> = Object.create(null); // keys come from the file
  for (const k of g.keys()) {
    if (k === "type" || k === "metadata") continue;
    const d = g.get(k);
    if (!(d instanceof lib.Dataset)) continue;
    const a = toArray(d.value, d.shape, String(d.dtype));
    if (a !== undefined && typeof a !== "string") params[k] = a;
  }
  return { type: type as NirPrimitive, params };
}

/** HDF5 dtype strings of h5wasm for each NIR array dtype. */
const H5_DTYPE: Readonly<Record<NirArray["dtype"], string>> = { f32: "<f", f64: "<d", i64: "<q" };

function writeArray(g: H5Group, key: string, a: NirArray): void {
  const data =
    a.dtype === "i64" ? BigInt64Array.from(a.data as Int32Array, (x) => BigInt(x)) : (a.data as Float32Array);
  const compressible = a.shape.length > 0 && sizeOf(a.shape) > 0;
  g.create_dataset({
    name: key,
    data,
    shape: a.shape,
    dtype: H5_DTYPE[a.dtype],
    ...(compressible ? { chunks: a.shape, compression: "gzip" as const, compression_opts: 4 } : {}),
  });
}

/**
 * Writes a graph as a `.nir` file, atomically (a temporary file in the same
 * folder, then renamed), with `metadata` on the graph (e.g. { dt: 1e-4 }).
 */
export async function writeNir(path: string, graph: NirGraph): Promise<void> {
  const lib = await loadH5();
  const tmp = `${path}.tmp-${process.pid}`;
  const f = new lib.File(tmp, "w");
  try {
    f.create_dataset({ name: "version", data: graph.version || NIR_VERSION });
    const root = f.create_group("node");
    root.create_dataset({ name: "type", data: "NIRGraph" });
    const nodes = root.create_group("nodes");
    for (const [name, node] of graph.nodes) {
      const g = nodes.create_group(name);
      g.create_dataset({ name: "type", data: node.type });
      for (const [k, a] of Object.entries(node.params)) writeArray(g, k, a);
    }
    root.create_dataset({ name: "edges", data: graph.edges.flat(), shape: [graph.edges.length, 2] });
    const md = Object.entries(graph.metadata);
    if (md.length > 0) {
      const g = root.create_group("metadata");
      for (const [k, v] of md) {
        if (typeof v === "string") g.create_dataset({ name: k, data: v });
        else g.create_dataset({ name: k, data: Float64Array.of(v), shape: [], dtype: "<d" });
      }
    }
  } catch (e) {
    f.close();
    rmSync(tmp, { force: true });
    throw e;
  }
  f.close();
  renameSync(tmp, path);
}
