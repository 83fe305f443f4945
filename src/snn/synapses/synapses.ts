/**
 * A synapse population: a CSR matrix from a spike source to a neuron group,
 * and the transmission rule "on a presynaptic spike, add the weight to the
 * target's variable" (`targetVar` "v": a voltage jump; "ge"/"gi": a
 * conductance-like jump; "I"/"iExt": a current jump).
 *
 * Delivery runs in step 3 of the schedule (src/snn/group.ts), after every group
 * has integrated and thresholded, and walks only the rows of the neurons that
 * spiked in this step. Without delays the weight lands in the target variable
 * at once. With integer delays d (steps), it lands in a ring buffer of
 * per-target accumulators, slot (t + d) mod D with D = max delay + 1, and each
 * step first adds its own slot t mod D to the target variable and clears it:
 * a spike emitted at step t with delay d changes the target at step t + d.
 *
 * Without delays, and where the source and the target keep their state in
 * one WebAssembly memory (a LifGroup on its SIMD kernel: src/snn/wasm-arena.ts),
 * the CSR arrays move into that memory at construction (`matrix.rowPtr`,
 * `target` and `weight` become views of it, same contents) and delivery runs
 * as a WebAssembly loop with the same additions in the same order, so the same
 * results bit for bit. If those arrays are later replaced (compact(),
 * regrowth), delivery falls back to the JavaScript loop.
 */
import type { Rng } from "../../core/rng.js";
import { UserError } from "../../core/errors.js";
import type { NeuronGroup, StateArray } from "../group.js";
import { connect, explicitOrder, type ConnectRule } from "./connect.js";
import { SynapseMatrix } from "./csr.js";
import { initDelays, initWeights, type DelaySpec, type WeightSpec } from "./init.js";
import { WasmArena, type DeliverFn } from "../wasm-arena.js";
import { stateVariable } from "../group.js";

/** Anything that emits spikes: a neuron group, a Poisson group, a spike generator. */
export interface SpikeSource {
  readonly name: string;
  readonly size: number;
  /** The time step the source runs with, ms (it must be its network's). */
  readonly dtMs: number;
  readonly spiked: Int32Array;
  readonly spikeCount: number;
}

/** Source, target, target variable, connection rule, weights and delays of a {@link Synapses} population. */
export interface SynapsesConfig {
  name?: string;
  source: SpikeSource;
  target: NeuronGroup;
  /** The target state variable the weight is added to ("v", "ge", "gi", "I", ...). */
  targetVar: string;
  connect: ConnectRule;
  /** Constant or distribution; for the "explicit" rule also one weight per listed pair, in list order. Default 1. */
  weight?: WeightSpec | ArrayLike<number>;
  /** Steps; constant, uniform-int, or one per synapse (list order for "explicit", CSR order otherwise). Default 0. */
  delaySteps?: DelaySpec;
  /** Only sources lo <= i < hi connect (Brian2's `connect('i<3200', ...)`). */
  preRange?: readonly [number, number];
  /** Needed by random rules and distributions; forked per use. */
  rng?: Rng;
  /**
   * Deliver in WebAssembly where possible (no delays; source and target share a WasmArena). Default
   * true; false keeps the arrays where they are and the JavaScript loop.
   */
  wasm?: boolean;
}

/** The WasmArena a group or spike source keeps its state in, if any. */
function arenaOf(x: object): WasmArena | null {
  const a: unknown = Reflect.get(x, "arena");
  return a instanceof WasmArena ? a : null;
}

/** The arena that source and target share, if they share one and it can deliver into `targetArray`. */
function sharedArena(source: object, target: object, targetArray: StateArray): WasmArena | null {
  const a = arenaOf(source);
  return a !== null && arenaOf(target) === a && a.deliver(targetArray instanceof Float64Array) !== null ? a : null;
}

/**
 * A synapse population in CSR form: each spike of a source neuron adds its synapses' weights to the target
 * variable (after their delays), as Brian2's `Synapses(on_pre='ge += w')`.
 *
 * ```ts
 * const syn = new Synapses({ source: exc, target: exc, targetVar: "ge", connect: { rule: "probability", p: 0.02 },
 *   weight: 1.62, rng: rng.fork("exc") });
 * ```
 */
export class Synapses {
  readonly name: string;
  readonly source: SpikeSource;
  readonly target: NeuronGroup;
  readonly targetVar: string;
  readonly matrix: SynapseMatrix;
  /** Synaptic events delivered so far (one per synapse of each spiking source): accumulate operations. */
  events = 0;
  private readonly targetArray: StateArray;
  /** Ring size D = max delay + 1; 1 means no delays. */
  private readonly slots: number;
  /** Delayed arrivals per slot and target, in the target variable's precision. */
  private readonly ring: StateArray;
  private readonly slotDirty: Uint8Array;
  /** WebAssembly delivery, while the matrix still holds the arrays it was set up with. */
  private wasmDeliver: DeliverFn | null = null;
  private wasmArrays: { rowPtr: Int32Array; target: Int32Array; weight: Float32Array } | null = null;
  private wasmOffsets = { spk: 0, rowPtr: 0, target: 0, weight: 0, tv: 0 };

  constructor(cfg: SynapsesConfig, matrix?: SynapseMatrix) {
    this.name = cfg.name ?? `${cfg.source.name}->${cfg.target.name}:${cfg.targetVar}`;
    this.source = cfg.source;
    this.target = cfg.target;
    this.targetVar = cfg.targetVar;
    const arr = stateVariable(cfg.target, cfg.targetVar);
    if (arr === undefined) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `synapses ${this.name}: target group ${cfg.target.name} has no variable "${cfg.targetVar}" (it has ${Object.keys(cfg.target.state).join(", ")})`,
      );
    }
    this.targetArray = arr;
    // Where delivery can run in WebAssembly, build the big arrays in the shared memory directly
    // (copying them there afterwards would hold two copies at once: +64 MB at CUBA N = 100,000).
    const d = cfg.delaySteps;
    const arena =
      matrix === undefined && cfg.wasm !== false && (d === undefined || d === 0)
        ? sharedArena(cfg.source, cfg.target, arr)
        : null;
    this.matrix = matrix ?? buildMatrix(cfg, arena);
    if (this.matrix.nPre !== cfg.source.size || this.matrix.nPost !== cfg.target.size) {
      throw new RangeError(
        `synapses ${this.name}: matrix is ${this.matrix.nPre}×${this.matrix.nPost}, groups are ${cfg.source.size}×${cfg.target.size}`,
      );
    }
    this.slots = this.matrix.maxDelaySteps() + 1;
    const ringLength = this.slots > 1 ? this.slots * cfg.target.size : 0;
    this.ring = arr instanceof Float64Array ? new Float64Array(ringLength) : new Float32Array(ringLength);
    this.slotDirty = new Uint8Array(this.slots);
    if (this.slots === 1 && cfg.wasm !== false) this.moveToArena();
  }

  /** Whether delivery currently runs in WebAssembly. */
  get wasm(): boolean {
    const w = this.wasmArrays;
    const m = this.matrix;
    return (
      this.wasmDeliver !== null && w !== null && m.rowPtr === w.rowPtr && m.target === w.target && m.weight === w.weight
    );
  }

  /** Copies the CSR arrays into the arena that source and target share, if they share one. */
  private moveToArena(): void {
    const target64 = this.targetArray instanceof Float64Array;
    const arena = sharedArena(this.source, this.target, this.targetArray);
    const fn = arena?.deliver(target64) ?? null;
    if (arena === null || fn === null) return;
    const m = this.matrix;
    const count = m.count;
    let rowPtr: Int32Array, target: Int32Array, weight: Float32Array;
    try {
      // Arrays already built in the arena stay; the others are copied in.
      rowPtr = arena.owns(m.rowPtr) ? m.rowPtr : arena.int32(m.nPre + 1);
      target = arena.owns(m.target) ? m.target : arena.int32(count);
      weight = arena.owns(m.weight) ? m.weight : arena.float32(count);
    } catch {
      return; // the memory cannot grow that far: stay in JavaScript
    }
    if (rowPtr !== m.rowPtr) rowPtr.set(m.rowPtr);
    if (target !== m.target) target.set(m.target.subarray(0, count));
    if (weight !== m.weight) weight.set(m.weight.subarray(0, count));
    m.rowPtr = rowPtr;
    m.target = target;
    m.weight = weight;
    this.wasmArrays = { rowPtr, target, weight };
    this.wasmOffsets = {
      spk: this.source.spiked.byteOffset,
      rowPtr: rowPtr.byteOffset,
      target: target.byteOffset,
      weight: weight.byteOffset,
      tv: this.targetArray.byteOffset,
    };
    this.wasmDeliver = fn;
  }

  /** Step 3 of the schedule: deliver this step's spikes and this step's delayed arrivals. */
  deliver(step: number): void {
    // The WebAssembly path inline, the JavaScript loops in a separate method (so that an optimising
    // compile of the step loop does not inline loops it never runs).
    const fn = this.wasmDeliver;
    const wa = this.wasmArrays;
    const m = this.matrix;
    if (fn !== null && wa !== null && m.rowPtr === wa.rowPtr && m.target === wa.target && m.weight === wa.weight) {
      const n = this.source.spikeCount;
      if (n > 0) {
        const o = this.wasmOffsets;
        this.events += fn(o.spk, n, o.rowPtr, o.target, o.weight, o.tv);
      }
      return;
    }
    this.deliverJs(step);
  }

  private deliverJs(step: number): void {
    const m = this.matrix;
    const rowPtr = m.rowPtr;
    const target = m.target;
    const weight = m.weight;
    const spiked = this.source.spiked;
    const n = this.source.spikeCount;
    const tv = this.targetArray;
    let events = 0;
    if (this.slots === 1) {
      for (let k = 0; k < n; k++) {
        const i = spiked[k]!;
        const end = rowPtr[i + 1]!;
        const start = rowPtr[i]!;
        events += end - start;
        for (let s = start; s < end; s++) tv[target[s]!]! += weight[s]!;
      }
      this.events += events;
      return;
    }
    const D = this.slots;
    const nPost = this.target.size;
    const ring = this.ring;
    const dirty = this.slotDirty;
    const slot = step % D;
    if (n > 0) {
      const delay = m.delay;
      if (delay === null) {
        let to = slot + m.uniformDelaySteps;
        if (to >= D) to -= D;
        const off = to * nPost;
        for (let k = 0; k < n; k++) {
          const i = spiked[k]!;
          const end = rowPtr[i + 1]!;
          const start = rowPtr[i]!;
          events += end - start;
          for (let s = start; s < end; s++) ring[off + target[s]!]! += weight[s]!;
        }
        if (events > 0) dirty[to] = 1;
      } else {
        for (let k = 0; k < n; k++) {
          const i = spiked[k]!;
          const end = rowPtr[i + 1]!;
          const start = rowPtr[i]!;
          events += end - start;
          for (let s = start; s < end; s++) {
            let to = slot + delay[s]!;
            if (to >= D) to -= D;
            ring[to * nPost + target[s]!]! += weight[s]!;
            dirty[to] = 1;
          }
        }
      }
      this.events += events;
    }
    if (dirty[slot] === 1) {
      const off = slot * nPost;
      for (let j = 0; j < nPost; j++) {
        const a = ring[off + j]!;
        if (a !== 0) {
          tv[j]! += a;
          ring[off + j] = 0;
        }
      }
      dirty[slot] = 0;
    }
  }

  /** Drops pending delayed arrivals (between trials). */
  clearPending(): void {
    this.ring.fill(0);
    this.slotDirty.fill(0);
  }
}

/**
 * Builds the CSR matrix, weights and delays that a config describes. With an
 * `arena`, the target and weight arrays are allocated in it where the rule
 * allows (see Synapses).
 */
export function buildMatrix(cfg: SynapsesConfig, arena: WasmArena | null = null): SynapseMatrix {
  const nPre = cfg.source.size;
  const nPost = cfg.target.size;
  const rng = cfg.rng;
  const sameGroup = Object.is(cfg.source, cfg.target);
  const alloc =
    arena === null
      ? undefined
      : (n: number) => {
          try {
            return arena.int32(n);
          } catch {
            return new Int32Array(n); // the memory cannot grow that far
          }
        };
  const csr = connect(nPre, nPost, cfg.connect, {
    sameGroup,
    preRange: cfg.preRange,
    rng: rng?.fork("structure"),
    alloc,
  });
  const count = csr.target.length;
  let weight: Float32Array;
  try {
    weight = arena === null ? new Float32Array(count) : arena.float32(count);
  } catch {
    weight = new Float32Array(count);
  }
  const w = cfg.weight ?? 1;
  const perm = cfg.connect.rule === "explicit" ? explicitOrder(nPre, cfg.connect.pre) : null;
  if (typeof w === "number" || "dist" in w) {
    initWeights(weight, w, rng?.fork("weight"));
  } else {
    if (perm === null) throw new RangeError(`a weight list is only accepted with the "explicit" rule`);
    if (w.length !== count) throw new RangeError(`weight list needs ${count} entries, got ${w.length}`);
    for (let s = 0; s < count; s++) weight[perm[s]!] = w[s]!;
  }
  const d = cfg.delaySteps ?? 0;
  let delays: { delay: Uint16Array | null; uniform: number };
  if (typeof d !== "number" && !("dist" in d) && perm !== null) {
    if (d.length !== count) throw new RangeError(`delay list needs ${count} entries, got ${d.length}`);
    const inCsrOrder = new Array<number>(count);
    for (let s = 0; s < count; s++) inCsrOrder[perm[s]!] = d[s]!;
    delays = initDelays(count, inCsrOrder);
  } else {
    delays = initDelays(count, d, rng?.fork("delay"));
  }
  return new SynapseMatrix(nPre, nPost, csr.rowPtr, csr.target, weight, delays.delay, delays.uniform);
}
