/**
 * A NIR graph (Neuromorphic Intermediate Representation; Pedersen et al.,
 * Nature Communications 15:8122, 2024) as plain data: named nodes, each a
 * primitive type with its parameter arrays, and directed edges between node
 * names. This is what `.nir` files hold (hdf5.ts reads and writes them) and
 * what the executor (executor.ts) runs.
 *
 * Parameters are kept as NIR stores them: continuous-time, time constants in
 * seconds, arrays with shapes (weights of Affine and Linear are
 * [out × in]; Conv2d weights [C_out × C_in × kH × kW]). The graph stores no
 * dt; writers may put one in the graph's metadata (this project writes
 * `metadata/dt`, in seconds).
 */
import { UserError } from "../../core/errors.js";

/** The primitives this project reads, runs and writes. */
export const NIR_PRIMITIVES = [
  "Input",
  "Output",
  "Affine",
  "Linear",
  "Scale",
  "Threshold",
  "Flatten",
  "Conv2d",
  "SumPool2d",
  "AvgPool2d",
  "LIF",
  "CubaLIF",
  "LI",
  "CubaLI",
  "IF",
  "I",
] as const;
/** The NIR primitive types this project reads and writes. */
export type NirPrimitive = (typeof NIR_PRIMITIVES)[number];

/** An array parameter: values in row-major order and their shape ([] for a scalar). */
export interface NirArray {
  shape: number[];
  data: Float32Array | Float64Array | Int32Array;
  /** How it is stored in the file: float32, float64 or int64. */
  dtype: "f32" | "f64" | "i64";
}

/** One NIR node: its primitive type and its parameters as NIR stores them. */
export interface NirNode {
  type: NirPrimitive;
  params: Record<string, NirArray>;
}

/** A NIR graph: named nodes and the directed edges between them. */
export interface NirGraph {
  /** Node name -> node, in file order. Nested NIRGraph nodes are flattened on reading (see `flatten`). */
  nodes: Map<string, NirNode>;
  edges: [string, string][];
  /** The graph's metadata (numbers and strings). */
  metadata: Record<string, number | string>;
  /** The file's `version` string. */
  version: string;
}

/** A nested graph as read from a file, before flattening. */
export interface NirGraphNode {
  type: "NIRGraph";
  nodes: Map<string, NirNode | NirGraphNode>;
  edges: [string, string][];
  metadata: Record<string, number | string>;
}

export function nirArray(data: ArrayLike<number>, shape: number[], dtype: NirArray["dtype"] = "f32"): NirArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`NIR array: ${data.length} values for shape [${shape.join(", ")}]`);
  const typed =
    dtype === "f32" ? Float32Array.from(data) : dtype === "f64" ? Float64Array.from(data) : Int32Array.from(data);
  return { shape: [...shape], data: typed, dtype };
}

/** Number of elements of an array of this shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A parameter of a node, or a UserError naming the node and the parameter. */
export function param(file: string, name: string, node: NirNode, key: string): NirArray {
  const p = node.params[key];
  if (p === undefined) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: NIR node "${name}" (${node.type}) has no parameter "${key}" (it has ${Object.keys(node.params).join(", ") || "none"})`,
    );
  }
  return p;
}

/** A parameter as an integer pair (stride, padding, kernel size), expanding a scalar. */
export function pair(file: string, name: string, node: NirNode, key: string): [number, number] {
  const p = param(file, name, node, key);
  if (p.data.length === 1) return [p.data[0]!, p.data[0]!];
  if (p.data.length === 2) return [p.data[0]!, p.data[1]!];
  throw new UserError(
    "E_DATA_INVALID",
    `${file}: NIR node "${name}" (${node.type}): "${key}" must have 1 or 2 values, found ${p.data.length}`,
  );
}

/**
 * A graph with nested NIRGraph nodes flattened: a nested node `g` with nodes
 * `a`, `b` becomes nodes `g.a`, `g.b` and its edges are prefixed; an outer edge
 * to `g` goes to g's Input nodes and an edge from `g` leaves from its Output
 * nodes (snnTorch writes recurrent layers as such subgraphs). Outer edges may
 * also name inner nodes directly (`g.a`), as files flattened by their writer do.
 */
export function flatten(root: NirGraphNode, version: string): NirGraph {
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  /** For each subgraph name: its entry and exit node names. */
  const ports = new Map<string, { inputs: string[]; outputs: string[] }>();
  const visit = (g: NirGraphNode, prefix: string): void => {
    for (const [name, node] of g.nodes) {
      const full = prefix + name;
      if (node.type === "NIRGraph") {
        visit(node, `${full}.`);
        const inner = [...node.nodes.entries()];
        ports.set(full, {
          inputs: inner.filter(([, n]) => n.type === "Input").map(([k]) => `${full}.${k}`),
          outputs: inner.filter(([, n]) => n.type === "Output").map(([k]) => `${full}.${k}`),
        });
      } else nodes.set(full, node);
    }
    for (const [a, b] of g.edges) edges.push([prefix + a, prefix + b]);
  };
  visit(root, "");
  const expanded: [string, string][] = [];
  for (const [a, b] of edges) {
    const from = ports.get(a)?.outputs ?? [a];
    const to = ports.get(b)?.inputs ?? [b];
    for (const x of from) for (const y of to) expanded.push([x, y]);
  }
  return { nodes, edges: expanded, metadata: root.metadata, version };
}

/** Checks that every edge names a node, every Output has a source and every Input has a consumer. */
export function checkGraph(file: string, g: NirGraph): void {
  for (const [a, b] of g.edges) {
    for (const n of [a, b]) {
      if (!g.nodes.has(n)) {
        throw new UserError(
          "E_DATA_INVALID",
          `${file}: the edge ${a} -> ${b} names "${n}", which is not a node of the graph (nodes: ${[...g.nodes.keys()].join(", ")})`,
        );
      }
    }
  }
  const inputs = [...g.nodes].filter(([, n]) => n.type === "Input");
  const outputs = [...g.nodes].filter(([, n]) => n.type === "Output");
  if (inputs.length === 0 || outputs.length === 0) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: a NIR graph needs Input and Output nodes, found ${inputs.length} Input and ${outputs.length} Output`,
    );
  }
}
