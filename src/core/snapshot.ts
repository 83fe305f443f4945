/**
 * A checkpoint of a live object graph (a learner, its training hooks, its
 * random streams), and putting it back into a freshly built copy of the same
 * graph.
 *
 * Why a graph walk instead of a hand-written list per learner: a learner's
 * state is spread over dozens of typed arrays and counters (parameters, masks,
 * optimiser moments, adaptive thresholds, traces, averaged weights, spike
 * generator states, pruning-schedule positions), and a list forgotten by one
 * field silently breaks a resumed run. The walk takes everything reachable:
 *
 *   - own enumerable properties of objects and class instances, array items,
 *     Map and Set entries (Map keys that are objects are matched by where they
 *     were first met, so an optimiser's moments keyed by parameter follow
 *     their parameter);
 *   - typed arrays by content, with the buffer they view and their offset, so
 *     a view created later (a cache of subarrays over a WebAssembly arena) is
 *     re-created over the fresh arena rather than as a detached copy;
 *   - an `Rng` by its generator position (`Rng.getState`);
 *   - numbers exactly (NaN, ±Infinity and -0 included), strings, booleans.
 *
 * Functions are skipped (methods live on prototypes; a closure's captured
 * objects are reached through the objects that own them), and so are
 * WebAssembly objects, weak collections and raw buffers: their contents are
 * reached through the typed arrays that view them. A graph that keeps
 * mutable numbers only inside a closure would not be captured: the per-learner
 * checkpoint tests (tests/checkpoint.test.ts) continue a restored learner and
 * compare it bit for bit with an uninterrupted one.
 *
 * Restoring writes into the fresh graph in place: typed arrays of the same
 * type and length are overwritten (views into arenas stay views), others are
 * replaced; objects are filled property by property; a class instance the
 * fresh graph lacks cannot be conjured up and is an error.
 *
 * Map and Set entries are walked after everything else (in the order met), so
 * that their keys and the buffers their values view are first met, and
 * restored, at their owners.
 */
import { Rng, type RngState } from "./rng.js";

type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
} as const;
type TypedName = keyof typeof TYPED;

/** Objects whose contents a snapshot does not walk (reached through typed arrays, or not state at all). */
const OPAQUE = new Set([
  "Memory",
  "Instance",
  "Module",
  "Table",
  "Global",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "Promise",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
]);

/** One node of a captured graph (short keys: a checkpoint holds thousands of them). */
export type StateNode =
  | { n: number | "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { s: string }
  | { b: boolean }
  | { z: null }
  | { u: 1 }
  | { t: TypedName; buf: number; off: number; len: number; blob: number }
  | { a: StateNode[]; id: number }
  | { o: Record<string, StateNode>; cls: string; id: number }
  | { map: number; id: number }
  | { set: number; id: number }
  | { rng: RngState; id: number }
  | { ref: number };

/** Entries of a Map or Set, walked after the main graph. */
interface Deferred {
  /** The id of the Map or Set node. */
  owner: number;
  entries: [StateNode, StateNode][];
}

/** A captured graph: the tree, the deferred collection entries, and the typed arrays' bytes. */
export interface Snapshot {
  root: StateNode;
  deferred: Deferred[];
  blobs: Uint8Array[];
}

function typedName(v: unknown): TypedName | null {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return null;
  const name = v.constructor.name;
  return name in TYPED ? (name as TypedName) : null;
}

function numberNode(v: number): StateNode {
  if (Number.isNaN(v)) return { n: "NaN" };
  if (v === Infinity) return { n: "Infinity" };
  if (v === -Infinity) return { n: "-Infinity" };
  if (Object.is(v, -0)) return { n: "-0" };
  return { n: v };
}

function numberOf(n: number | string): number {
  return typeof n === "number" ? n : n === "-0" ? -0 : Number(n);
}

function className(v: object): string {
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === null) return "";
  const ctor: unknown = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === "function" ? ctor.name : "";
}

/** Captures everything reachable from `root` (see the file comment). */
export function captureState(root: unknown): Snapshot {
  const ids = new Map<object, number>();
  const buffers = new Map<ArrayBufferLike, number>();
  const blobs: Uint8Array[] = [];
  const deferred: Deferred[] = [];
  const queue: { owner: number; value: Map<unknown, unknown> | Set<unknown> }[] = [];
  let nextId = 0;

  const walk = (v: unknown): StateNode | null => {
    switch (typeof v) {
      case "number":
        return numberNode(v);
      case "string":
        return { s: v };
      case "boolean":
        return { b: v };
      case "undefined":
        return { u: 1 };
      case "function":
      case "symbol":
        return null;
      case "bigint":
        throw new Error("internal: a snapshot cannot hold a bigint");
    }
    if (v === null) return { z: null };
    const obj = v as object;
    const seen = ids.get(obj);
    if (seen !== undefined) return { ref: seen };
    const t = typedName(obj);
    if (t !== null) {
      const ta = obj as TypedArray;
      let buf = buffers.get(ta.buffer);
      if (buf === undefined) buffers.set(ta.buffer, (buf = buffers.size));
      blobs.push(new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength).slice());
      return { t, buf, off: ta.byteOffset, len: ta.length, blob: blobs.length - 1 };
    }
    const cls = className(obj);
    if (OPAQUE.has(cls)) return null;
    const id = nextId++;
    ids.set(obj, id);
    if (obj instanceof Rng) return { rng: obj.getState(), id };
    if (Array.isArray(obj)) return { a: obj.map((x) => walk(x) ?? { u: 1 }), id };
    if (obj instanceof Map || obj instanceof Set) {
      queue.push({ owner: id, value: obj });
      return obj instanceof Map ? { map: queue.length - 1, id } : { set: queue.length - 1, id };
    }
    const props: Record<string, StateNode> = Object.create(null);
    for (const key of Object.keys(obj)) {
      const node = walk((obj as Record<string, unknown>)[key]);
      if (node !== null) props[key] = node;
    }
    return { o: props, cls, id };
  };

  const rootNode = walk(root) ?? { u: 1 };
  for (let q = 0; q < queue.length; q++) {
    const { owner, value } = queue[q]!;
    const entries: [StateNode, StateNode][] = [];
    if (value instanceof Map) {
      for (const [k, x] of value) {
        const kn = walk(k);
        const xn = walk(x);
        if (kn !== null && xn !== null) entries.push([kn, xn]);
      }
    } else {
      for (const x of value) {
        const xn = walk(x);
        if (xn !== null) entries.push([xn, { u: 1 }]);
      }
    }
    deferred.push({ owner, entries });
  }
  return { root: rootNode, deferred, blobs };
}

/**
 * Writes a snapshot back into `root`, a freshly built graph of the same shape,
 * in place; returns the root (a new object only when `root` was not one).
 */
export function restoreState(root: unknown, snap: Snapshot): unknown {
  const byId = new Map<number, unknown>();
  /** Saved buffer id -> the fresh buffer and the byte shift between the saved and the fresh views. */
  const buffers = new Map<number, { buffer: ArrayBufferLike; shift: number }>();
  const collections: (Map<unknown, unknown> | Set<unknown> | undefined)[] = [];

  const typed = (node: Extract<StateNode, { t: TypedName }>, current: unknown, path: string): TypedArray => {
    const Ctor = TYPED[node.t];
    const bytes = snap.blobs[node.blob];
    if (bytes === undefined) throw new Error(`internal: snapshot blob ${node.blob} missing at ${path}`);
    const data = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, node.len);
    if (typedName(current) === node.t && (current as TypedArray).length === node.len) {
      const ta = current as TypedArray;
      ta.set(data as never);
      if (!buffers.has(node.buf)) buffers.set(node.buf, { buffer: ta.buffer, shift: ta.byteOffset - node.off });
      return ta;
    }
    const mapped = buffers.get(node.buf);
    if (mapped !== undefined) {
      const off = node.off + mapped.shift;
      if (off >= 0 && off + node.len * Ctor.BYTES_PER_ELEMENT <= mapped.buffer.byteLength) {
        const view = new Ctor(mapped.buffer as ArrayBuffer, off, node.len);
        view.set(data as never);
        return view;
      }
    }
    const fresh = new Ctor(node.len);
    fresh.set(data as never);
    buffers.set(node.buf, { buffer: fresh.buffer, shift: -node.off });
    return fresh;
  };

  const value = (node: StateNode, current: unknown, path: string): unknown => {
    if ("n" in node) return numberOf(node.n);
    if ("s" in node) return node.s;
    if ("b" in node) return node.b;
    if ("z" in node) return null;
    if ("u" in node) return undefined;
    if ("t" in node) return typed(node, current, path);
    if ("ref" in node) {
      if (!byId.has(node.ref)) throw new Error(`internal: snapshot reference ${node.ref} unresolved at ${path}`);
      return byId.get(node.ref);
    }
    if ("rng" in node) {
      if (!(current instanceof Rng))
        throw new Error(`internal: snapshot holds a random stream at ${path}, the fresh graph does not`);
      current.setState(node.rng);
      byId.set(node.id, current);
      return current;
    }
    if ("a" in node) {
      const arr: unknown[] = Array.isArray(current) ? current : [];
      byId.set(node.id, arr);
      node.a.forEach((item, i) => {
        const next = value(item, arr[i], `${path}[${i}]`);
        if (!Object.is(next, arr[i])) arr[i] = next;
      });
      if (arr.length !== node.a.length) arr.length = node.a.length;
      return arr;
    }
    if ("map" in node || "set" in node) {
      const isMap = "map" in node;
      const ok = isMap ? current instanceof Map : current instanceof Set;
      const coll = ok ? (current as Map<unknown, unknown> | Set<unknown>) : isMap ? new Map() : new Set();
      byId.set(node.id, coll);
      collections[isMap ? node.map : node.set] = coll;
      return coll;
    }
    const cls = node.cls;
    let obj: Record<string, unknown>;
    if (typeof current === "object" && current !== null && !Array.isArray(current)) {
      if (className(current) !== cls)
        throw new Error(
          `internal: snapshot holds a ${cls || "plain object"} at ${path}, the fresh graph a ${className(current)}`,
        );
      obj = current as Record<string, unknown>;
    } else if (cls === "Object" || cls === "") {
      obj = cls === "" ? Object.create(null) : {};
    } else {
      throw new Error(
        `internal: snapshot holds a ${cls} at ${path} that the fresh graph lacks; it cannot be re-created`,
      );
    }
    byId.set(node.id, obj);
    for (const key of Object.keys(node.o)) {
      const next = value(node.o[key]!, obj[key], `${path}.${key}`);
      if (!Object.is(next, obj[key])) obj[key] = next;
    }
    return obj;
  };

  const out = value(snap.root, root, "$");
  snap.deferred.forEach((d, i) => {
    const coll = collections[i];
    if (coll === undefined) throw new Error(`internal: snapshot collection ${i} has no owner`);
    if (coll instanceof Map) {
      const before = new Map(coll);
      coll.clear();
      for (const [kn, xn] of d.entries) {
        const key = value(kn, undefined, `$map${i}.key`);
        coll.set(key, value(xn, before.get(key), `$map${i}.value`));
      }
    } else {
      coll.clear();
      for (const [xn] of d.entries) coll.add(value(xn, undefined, `$set${i}`));
    }
  });
  return out;
}

const MAGIC = "NCSNAP01";

/**
 * One file: the magic "NCSNAP01", the JSON header's byte length (uint32, little
 * endian), the header (the tree and the blobs' offsets, plus `meta`), then the
 * typed arrays' bytes, each at an 8-byte boundary.
 */
export function encodeSnapshot(snap: Snapshot, meta: unknown): Uint8Array {
  const offsets: number[] = [];
  let size = 0;
  for (const b of snap.blobs) {
    offsets.push(size);
    size += Math.ceil(b.byteLength / 8) * 8;
  }
  const header = new TextEncoder().encode(
    JSON.stringify({
      meta,
      root: snap.root,
      deferred: snap.deferred,
      blobs: snap.blobs.map((b, i) => [offsets[i], b.byteLength]),
    }),
  );
  const start = Math.ceil((12 + header.byteLength) / 8) * 8;
  const out = new Uint8Array(start + size);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.byteLength, true);
  out.set(header, 12);
  snap.blobs.forEach((b, i) => out.set(b, start + offsets[i]!));
  return out;
}

/** Reads `encodeSnapshot`'s bytes back; throws a plain Error describing what is wrong with a damaged file. */
export function decodeSnapshot(bytes: Uint8Array): { snap: Snapshot; meta: unknown } {
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw new Error(`not a checkpoint (expected the magic "${MAGIC}")`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + length > bytes.byteLength) throw new Error("checkpoint header runs past the end of the file");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as {
    meta: unknown;
    root: StateNode;
    deferred: Deferred[];
    blobs: [number, number][];
  };
  const start = Math.ceil((12 + length) / 8) * 8;
  const blobs = header.blobs.map(([off, len]) => {
    if (start + off + len > bytes.byteLength) throw new Error("checkpoint data runs past the end of the file");
    // A copy at offset 0 keeps every typed array aligned.
    return bytes.slice(start + off, start + off + len);
  });
  return { snap: { root: header.root, deferred: header.deferred, blobs }, meta: header.meta };
}
