/**
 * One growable WebAssembly memory shared by a neuron group's state and the
 * synapses that read its spikes and write into it, so that spike delivery
 * can run as a WebAssembly kernel too (src/snn/synapses/synapses.ts).
 *
 * A WebAssembly function sees one memory: the LIF kernel's state arrays
 * (src/snn/neurons/lif-simd.ts) live in an arena, and a Synapses population
 * whose source and target share that arena copies its CSR arrays into it
 * (`alloc`). The memory is shared (src/core/wasm.ts, createSharedMemory), so
 * growing it for the synapses leaves every earlier view (the group's v, ge,
 * gi, ...) valid.
 *
 * The delivery kernel, per spiking source i (in `spiked` order) and per
 * synapse s of row i (in CSR order): target[t(s)] += weight[s]. Weights are
 * float32. Into a float64 target variable (precision "float64") the weight
 * is widened and added in float64, as JavaScript does. Into a float32 target,
 * JavaScript computes the sum in float64 and rounds it to float32 when it
 * stores; rounding the float64 sum of two float32 values to float32 gives the
 * correctly rounded float32 sum (float64 has more than 2·24 + 2 bits), so
 * f32.add gives the same bits, and the same order gives the same results.
 * Measured at CUBA N = 4,000: about 3-4 ns per synaptic event against 6-9
 * for the JavaScript loop.
 */
import {
  BLOCK_VOID,
  FunctionBuilder,
  MAX_PAGES,
  WASM_PAGE_BYTES,
  assembleModule,
  compileModule,
  createSharedMemory,
  i32Const,
  instantiate,
  memarg,
  op,
  valType,
  type CompiledModule,
  type GrowableMemory,
} from "../core/wasm.js";

/** deliver(spiked, n, rowPtr, target, weight, targetVar) -> events (all byte offsets). */
export type DeliverFn = (spk: number, n: number, rowPtr: number, target: number, weight: number, tv: number) => number;

const { i32 } = valType;

/** `target64`: the target variable is float64 (8-byte elements). */
function deliverFunction(target64: boolean): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32], [i32]);
  const P = { spk: 0, n: 1, rp: 2, tg: 3, w: 4, tv: 5 };
  const KB = f.local(i32),
    KEND = f.local(i32),
    EV = f.local(i32),
    S = f.local(i32),
    E = f.local(i32),
    A = f.local(i32);
  const get = (l: number) => f.get(l),
    set = (l: number) => f.set(l),
    tee = (l: number) => f.tee(l);
  // KB walks spiked[] in bytes: spk .. spk + 4n
  f.emit(get(P.spk), tee(KB), get(P.n), i32Const(2), op.i32Shl, op.i32Add, set(KEND));
  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  f.emit(get(KB), get(KEND), op.i32GeU, op.brIf, 1);
  // A = rowPtr + 4·spiked[k]; S, E = row start and end, in bytes
  f.emit(get(P.rp), get(KB), op.i32Load, memarg(0, 2), i32Const(2), op.i32Shl, op.i32Add, set(A));
  f.emit(get(A), op.i32Load, memarg(0, 2), set(S));
  f.emit(get(A), op.i32Load, memarg(4, 2), set(E));
  f.emit(get(EV), get(E), op.i32Add, get(S), op.i32Sub, set(EV));
  f.emit(get(S), i32Const(2), op.i32Shl, set(S), get(E), i32Const(2), op.i32Shl, set(E));
  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  f.emit(get(S), get(E), op.i32GeU, op.brIf, 1);
  // A = tv + 4·target[s] (8· for float64);  tv[A] = tv[A] + weight[s]
  const shift = target64 ? 3 : 2;
  f.emit(get(P.tv), get(P.tg), get(S), op.i32Add, op.i32Load, memarg(0, 2), i32Const(shift), op.i32Shl, op.i32Add);
  f.emit(tee(A));
  if (target64) {
    f.emit(get(A), op.f64Load, memarg(0, 3), get(P.w), get(S), op.i32Add, op.f32Load, memarg(0, 2));
    f.emit(op.f64PromoteF32, op.f64Add, op.f64Store, memarg(0, 3));
  } else {
    f.emit(get(A), op.f32Load, memarg(0, 2), get(P.w), get(S), op.i32Add, op.f32Load, memarg(0, 2), op.f32Add);
    f.emit(op.f32Store, memarg(0, 2));
  }
  f.emit(get(S), i32Const(4), op.i32Add, set(S));
  f.emit(op.br, 0, op.end, op.end);
  f.emit(get(KB), i32Const(4), op.i32Add, set(KB));
  f.emit(op.br, 0, op.end, op.end);
  f.emit(get(EV));
  return f;
}

/** The compiled delivery modules, into float32 and float64 targets. */
const deliverModules = new Map<boolean, CompiledModule | null>();

/**
 * Runs the kernel over about 80,000 synaptic events on a scratch memory. V8
 * first runs a module in its baseline compiler and swaps in optimised code
 * after a budget of executed code (a pause of several ms, seen around the
 * 70th step of CUBA); this spends that budget here, at construction.
 */
function warmUp(mod: CompiledModule): void {
  const k = 4000;
  const scratch = createSharedMemory(WASM_PAGE_BYTES, WASM_PAGE_BYTES);
  const rowPtr = new Int32Array(scratch.buffer, 16, 2);
  rowPtr[1] = k; // one source (spiked[0] = 0) with k synapses, all onto tv[0], weight 0
  const fn = instantiate(mod, scratch)["deliver"] as DeliverFn;
  for (let r = 0; r < 20; r++) fn(0, 1, 16, 64, 64 + 4 * k, 64 + 8 * k);
}

function deliverCompiled(target64: boolean): CompiledModule | null {
  let m = deliverModules.get(target64);
  if (m === undefined) {
    try {
      m = compileModule(
        assembleModule({
          memory: { shared: true, maxPages: MAX_PAGES },
          functions: [{ name: "deliver", fn: deliverFunction(target64) }],
        }),
      );
      if (m !== null) warmUp(m);
    } catch {
      m = null;
    }
    deliverModules.set(target64, m);
  }
  return m;
}

export class WasmArena {
  readonly memory: GrowableMemory;
  /** Bytes in use (the next allocation starts at or after it). */
  private top: number;
  private readonly deliverFns = new Map<boolean, DeliverFn | null>();
  /** The buffers (one per size the memory has had) that views handed out by int32 / float32 are on. */
  private readonly views = new WeakSet<ArrayBufferLike>();

  /** `used`: bytes already taken at the start of `memory`. */
  constructor(memory: GrowableMemory, used: number) {
    this.memory = memory;
    this.top = used;
    this.views.add(memory.buffer);
  }

  /**
   * Reserves `bytes` bytes, 16-byte aligned, growing the memory if needed
   * (earlier views stay valid); returns the byte offset. Throws a RangeError
   * when the memory cannot grow that far.
   */
  alloc(bytes: number): number {
    const at = (this.top + 15) & ~15;
    const end = at + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / WASM_PAGE_BYTES));
    this.top = end;
    return at;
  }

  /** A zeroed Int32Array of `length` in this memory (see alloc). */
  int32(length: number): Int32Array {
    const at = this.alloc(4 * length); // first: it may grow the memory (a new, longer buffer)
    const a = new Int32Array(this.memory.buffer, at, length);
    this.views.add(a.buffer);
    return a;
  }

  /** A zeroed Float32Array of `length` in this memory (see alloc). */
  float32(length: number): Float32Array {
    const at = this.alloc(4 * length); // first: it may grow the memory (a new, longer buffer)
    const a = new Float32Array(this.memory.buffer, at, length);
    this.views.add(a.buffer);
    return a;
  }

  /** Whether `a` is a view of this memory. */
  owns(a: ArrayBufferView): boolean {
    return this.views.has(a.buffer) || a.buffer === this.memory.buffer;
  }

  /**
   * The delivery kernel on this memory into a float32 target variable, or a float64 one with
   * `target64` (instantiated on first use), or null where it cannot run.
   */
  deliver(target64 = false): DeliverFn | null {
    let fn = this.deliverFns.get(target64);
    if (fn === undefined) {
      const mod = deliverCompiled(target64);
      try {
        fn = mod === null ? null : (instantiate(mod, this.memory)["deliver"] as DeliverFn);
      } catch {
        fn = null;
      }
      this.deliverFns.set(target64, fn);
    }
    return fn;
  }
}
