/**
 * A small WebAssembly assembler, so that kernels can be written as opcode
 * sequences in TypeScript and compiled at run time (no build step, no
 * dependency). Shared by the hand-written SIMD kernels.
 *
 *   opcode tables (`op`, `simdOp`, `valType`)
 *     -> function bodies (`FunctionBuilder`: locals + an emit list)
 *     -> a module (`assembleModule`: types, one imported memory, functions, exports)
 *     -> `compileModule` (null where WebAssembly, or a feature it uses, is missing;
 *        `lazyModule` assembles and compiles once, on first use)
 *     -> `instantiate` with a `WasmMemory` the caller sizes once
 *
 * Kernels keep their operands in the imported memory and take byte offsets
 * as i32 arguments. A memory is never grown here: growing detaches every
 * typed-array view of it.
 *
 * Encodings follow the WebAssembly 2.0 core specification (binary format,
 * section 5); SIMD instructions are the prefix 0xfd followed by a LEB128
 * sub-opcode.
 */

/** Value types. */
export const valType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof valType)[keyof typeof valType];

/** The block type of a block, loop or if that leaves nothing on the stack. */
export const BLOCK_VOID = 0x40;

/** Core (single-byte) opcodes. */
export const op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Store8: 0x3a,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  f32Eq: 0x5b,
  f32Ne: 0x5c,
  i32Ctz: 0x68,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32DivU: 0x6e,
  i32RemU: 0x70,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f32DemoteF64: 0xb6,
  f64PromoteF32: 0xbb,
} as const;

/** The prefix byte of every SIMD instruction. */
export const SIMD_PREFIX = 0xfd;

/** SIMD sub-opcodes (emit with `simd(...)`, which LEB128-encodes them after the prefix). */
export const simdOp = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Load64Splat: 0x0a,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  i32x4ExtractLane: 0x1b,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  i32x4LtS: 0x39,
  i32x4GtS: 0x3b,
  i32x4LeS: 0x3d,
  i32x4GeS: 0x3f,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128Bitselect: 0x52,
  v128AnyTrue: 0x53,
  v128Store64Lane: 0x5b,
  v128Load32Zero: 0x5c,
  v128Load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Nearest: 0x6a,
  i32x4Bitmask: 0xa4,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  i32x4TruncSatF32x4S: 0xf8,
  /**
   * Relaxed SIMD (WebAssembly 3.0): a·b + c, fused (one rounding) or not, as the
   * CPU finds fastest. Validates only where the engine has relaxed SIMD.
   */
  f32x4RelaxedMadd: 0x105,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`uleb: not a u32: ${n}`);
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 immediates such as i32.const). */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`sleb: not an i32: ${n}`);
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A SIMD instruction (0xfd, then its LEB128 sub-opcode); immediates follow separately. */
export function simd(sub: number): number[] {
  return [SIMD_PREFIX, ...uleb(sub)];
}

/** i32.const n. */
export function i32Const(n: number): number[] {
  return [op.i32Const, ...sleb(n)];
}

/** The memarg of a load or store: alignment hint (log2 bytes) and a constant byte offset. */
export function memarg(offset = 0, alignLog2 = 0): number[] {
  return [...uleb(alignLog2), ...uleb(offset)];
}

/** v128.const with four copies of a float32 (or, with `int`, an int32). */
export function v128SplatConst(value: number, int = false): number[] {
  const lanes = int ? new Int32Array([value, value, value, value]) : new Float32Array([value, value, value, value]);
  return [...simd(simdOp.v128Const), ...new Uint8Array(lanes.buffer)];
}

/** i8x16.shuffle with its 16 lane indices (0-15: first operand, 16-31: second). */
export function shuffle(lanes: readonly number[]): number[] {
  if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) {
    throw new RangeError("shuffle: need 16 lane indices in 0..31");
  }
  return [...simd(simdOp.i8x16Shuffle), ...lanes];
}

/** A name (export, import module or field): its length, then its UTF-8 bytes. */
export function encodeName(s: string): number[] {
  const bytes = new TextEncoder().encode(s);
  return [...uleb(bytes.length), ...bytes];
}

/** A section: id, byte length, body. */
export function section(id: number, body: readonly number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A vector: element count, then the concatenated elements. */
export function vec(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export type Emittable = number | readonly number[];

/**
 * One function under construction: parameters first (locals 0..params-1),
 * then locals declared with `local`, then its instructions. `get`, `set`,
 * `tee` give the local accessors; `emit` appends bytes or byte lists.
 */
export class FunctionBuilder {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  private readonly locals: ValType[] = [];
  private readonly code: number[] = [];

  constructor(params: readonly ValType[], results: readonly ValType[] = []) {
    this.params = params;
    this.results = results;
  }

  /** Declares a local of `type`; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  emit(...xs: Emittable[]): this {
    for (const x of xs) {
      if (typeof x === "number") this.code.push(x);
      else for (const b of x) this.code.push(b);
    }
    return this;
  }

  get(l: number): number[] {
    return [op.localGet, ...uleb(l)];
  }

  set(l: number): number[] {
    return [op.localSet, ...uleb(l)];
  }

  tee(l: number): number[] {
    return [op.localTee, ...uleb(l)];
  }

  /** The function type: 0x60, params, results. */
  typeBytes(): number[] {
    return [0x60, ...uleb(this.params.length), ...this.params, ...uleb(this.results.length), ...this.results];
  }

  /** The code-section entry: size, locals run-length encoded, instructions, `end`. */
  bodyBytes(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      groups.push([...uleb(j - i), this.locals[i]!]);
      i = j;
    }
    const body = [...vec(groups), ...this.code, op.end];
    return [...uleb(body.length), ...body];
  }
}

export interface ModuleSpec {
  /**
   * The imported memory: module and field names (default "env", "mem"), minimum pages; `shared` for a
   * shared memory (it must then come from createSharedMemory), which needs `maxPages` (default 65536).
   */
  memory?: { module?: string; field?: string; minPages?: number; shared?: boolean; maxPages?: number };
  /** Functions with the names they are exported under. */
  functions: readonly { name: string; fn: FunctionBuilder }[];
}

/** A complete module: one type per function, an imported memory, exported functions. */
export function assembleModule(spec: ModuleSpec): Uint8Array {
  const fns = spec.functions;
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  out.push(...section(1, vec(fns.map((f) => f.fn.typeBytes()))));
  if (spec.memory !== undefined) {
    const m = spec.memory;
    // Limits: 0x00 min | 0x01 min max | 0x03 min max, shared.
    const limits =
      m.shared === true
        ? [0x03, ...uleb(m.minPages ?? 1), ...uleb(m.maxPages ?? MAX_PAGES)]
        : m.maxPages !== undefined
          ? [0x01, ...uleb(m.minPages ?? 1), ...uleb(m.maxPages)]
          : [0x00, ...uleb(m.minPages ?? 1)];
    const entry = [...encodeName(m.module ?? "env"), ...encodeName(m.field ?? "mem"), 0x02, ...limits];
    out.push(...section(2, vec([entry])));
  }
  out.push(...section(3, vec(fns.map((_, i) => uleb(i)))));
  // Function indices start at 0: nothing but the memory is imported.
  out.push(...section(7, vec(fns.map((f, i) => [...encodeName(f.name), 0x00, ...uleb(i)]))));
  out.push(...section(10, [...uleb(fns.length), ...fns.flatMap((f) => f.fn.bodyBytes())]));
  return new Uint8Array(out);
}

// --- the host side -----------------------------------------------------------

/** A WebAssembly.Memory, as far as kernels use it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The part of the WebAssembly JS API used here (the project's lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => GrowableMemory;
}

function wasmApi(): WasmApi | undefined {
  const api: unknown = Reflect.get(globalThis, "WebAssembly");
  return typeof api === "object" && api !== null ? (api as WasmApi) : undefined;
}

/** A compiled module; opaque outside this file. */
export interface CompiledModule {
  readonly module: object;
}

/**
 * Compiles `bytes`; null where WebAssembly is missing or refuses the module
 * (e.g. no SIMD support: validation fails). Callers cache the result.
 */
export function compileModule(bytes: Uint8Array): CompiledModule | null {
  const api = wasmApi();
  if (api === undefined) return null;
  try {
    return api.validate(bytes) ? { module: new api.Module(bytes) } : null;
  } catch {
    return null;
  }
}

/**
 * A getter that assembles and compiles the module of `spec` on its first call
 * and returns that result ever after: the compiled module, or null where
 * WebAssembly (or a feature the module uses) is missing.
 */
export function lazyModule(spec: () => ModuleSpec): () => CompiledModule | null {
  let compiled: CompiledModule | null | undefined;
  return () => {
    if (compiled === undefined) {
      try {
        compiled = compileModule(assembleModule(spec()));
      } catch {
        compiled = null;
      }
    }
    return compiled;
  };
}

export const WASM_PAGE_BYTES = 65536;
/** The most pages a 32-bit memory can have (4 GiB). */
export const MAX_PAGES = 65536;

/** A memory that can grow by whole pages. */
export interface GrowableMemory extends WasmMemory {
  /** Adds `pages` pages; returns the previous size in pages. */
  grow(pages: number): number;
}

/**
 * A shared memory of at least `bytes` bytes that can grow up to `maxBytes`
 * (default 4 GiB). Unlike an ordinary memory, growing it does not detach the
 * views made before: its buffer is a SharedArrayBuffer, and each `buffer`
 * read after a grow is a new SharedArrayBuffer over the same, longer memory.
 * Only modules whose ModuleSpec says `shared: true` can import it.
 */
export function createSharedMemory(bytes: number, maxBytes = MAX_PAGES * WASM_PAGE_BYTES): GrowableMemory {
  const api = wasmApi();
  if (api === undefined) throw new Error("createSharedMemory: WebAssembly is not available");
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  const maximum = Math.min(MAX_PAGES, Math.max(pages, Math.ceil(maxBytes / WASM_PAGE_BYTES)));
  return new api.Memory({ initial: pages, maximum, shared: true });
}

/** A memory of at least `bytes` bytes, fixed at that size (maximum = initial, so it can never grow). */
export function createMemory(bytes: number): WasmMemory {
  const api = wasmApi();
  if (api === undefined) throw new Error("createMemory: WebAssembly is not available");
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  return new api.Memory({ initial: pages, maximum: pages });
}

/** Instantiates `compiled` with `memory` as its import (module, field as in its ModuleSpec); returns the exports. */
export function instantiate(
  compiled: CompiledModule,
  memory: WasmMemory,
  module = "env",
  field = "mem",
): Readonly<Record<string, unknown>> {
  const api = wasmApi();
  if (api === undefined) throw new Error("instantiate: WebAssembly is not available");
  return new api.Instance(compiled.module, { [module]: { [field]: memory } }).exports;
}

let relaxed: boolean | undefined;

/**
 * Whether this engine has WebAssembly relaxed SIMD, asked the way the
 * specification intends (`WebAssembly.validate` on a module that uses
 * f32x4.relaxed_madd): on by default in V8 since 11.4 (Node 22, 24), behind
 * `--experimental-wasm-relaxed-simd` in Node 20. Checked once per process.
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxed === undefined) {
    const api = wasmApi();
    const fn = new FunctionBuilder([], [valType.v128]);
    fn.emit(v128SplatConst(1), v128SplatConst(2), v128SplatConst(3), simd(simdOp.f32x4RelaxedMadd));
    try {
      relaxed = api?.validate(assembleModule({ functions: [{ name: "madd", fn }] })) === true;
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}
