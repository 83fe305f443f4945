/**
 * A WebAssembly SIMD kernel for the recurrent cells' dense products, and the
 * arena of buffers it works on.
 *
 *   C[m×n] (=|+=) A[m×k] · B[k×n]      row-major, n a multiple of 16
 *
 * For each row i and each 16-column block of C, four f32x4 accumulators stay
 * in registers while p runs over k: one splat of A[i,p] and four loads of
 * B[p, j..j+16) feed sixteen multiply-adds. V8 does not vectorise JavaScript,
 * so this is the one place where four lanes per instruction are won.
 *
 * The module is assembled below from its opcodes (no build step, no
 * dependency). Its operands must live in its memory: a `GemmArena` hands out
 * Float32Array views of one WebAssembly.Memory, sized once and never grown (a
 * grown memory would detach the views). Where WebAssembly SIMD is missing, or
 * n is not a multiple of 16, the same product runs in plain JavaScript.
 */

// --- the module, assembled ---------------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;
const EMPTY = 0x40;
const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32GeS: 0x4e, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
} as const;
const SIMD = 0xfd;
/** SIMD sub-opcodes, LEB128-encoded after 0xfd. */
const simd = {
  load: [0x00], store: [0x0b], const: [0x0c], load32Splat: [0x09],
  f32x4Add: [0xe4, 0x01], f32x4Mul: [0xe6, 0x01],
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}
function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Locals: params a, b, c, m, k, n, accumulate; then i32 and v128 scratch.
const A = 0, B = 1, C = 2, M = 3, K = 4, N = 5, ACC = 6;
const I = 7, J = 8, AP = 9, AEND = 10, BP = 11, CP = 12, NBYTES = 13, KBYTES = 14;
const ACC0 = 15, BV = 23, S = 27; // 8 accumulators (2 rows × 4), 4 values of B, the splat

const get = (l: number) => [op.localGet, l];
const set = (l: number) => [op.localSet, l];
const memarg = (offset: number) => [0, ...uleb(offset)]; // alignment hint 1 byte: always valid

/**
 * The instructions for rows i..i+rows-1 (rows = 1 or 2) of C: for each
 * 16-column block, 4·rows f32x4 accumulators over p = 0..k-1.
 */
function rowTile(e: (...xs: (number | readonly number[])[]) => void, rows: number): void {
  e(op.i32Const, 0, set(J));
  e(op.block, EMPTY, op.loop, EMPTY); // 16-column blocks
  e(get(J), get(N), op.i32GeS, op.brIf, 1);
  // cp = c + ((i·n + j) << 2)
  e(get(C), get(I), get(N), op.i32Mul, get(J), op.i32Add, op.i32Const, 2, op.i32Shl, op.i32Add, set(CP));
  const acc = (r: number, q: number) => ACC0 + 4 * r + q;
  // the second row of C starts nBytes after the first: its address is cp + nBytes
  e(get(ACC), op.if, EMPTY);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < 4; q++) {
      e(get(CP));
      if (r === 1) e(get(NBYTES), op.i32Add);
      e(SIMD, simd.load, memarg(16 * q), set(acc(r, q)));
    }
  }
  e(op.else);
  for (let r = 0; r < rows; r++) for (let q = 0; q < 4; q++) e(SIMD, simd.const, new Array<number>(16).fill(0), set(acc(r, q)));
  e(op.end);
  // ap = a + ((i·k) << 2); aEnd = ap + (k << 2); kBytes = k << 2; bp = b + (j << 2)
  e(get(K), op.i32Const, 2, op.i32Shl, set(KBYTES));
  e(get(A), get(I), get(K), op.i32Mul, op.i32Const, 2, op.i32Shl, op.i32Add, op.localTee, AP);
  e(get(KBYTES), op.i32Add, set(AEND));
  e(get(B), get(J), op.i32Const, 2, op.i32Shl, op.i32Add, set(BP));
  e(op.block, EMPTY, op.loop, EMPTY); // p over k
  e(get(AP), get(AEND), op.i32GeS, op.brIf, 1);
  for (let q = 0; q < 4; q++) e(get(BP), SIMD, simd.load, memarg(16 * q), set(BV + q));
  for (let r = 0; r < rows; r++) {
    e(get(AP));
    if (r === 1) e(get(KBYTES), op.i32Add);
    e(SIMD, simd.load32Splat, [2, 0], set(S));
    for (let q = 0; q < 4; q++) {
      e(get(acc(r, q)), get(S), get(BV + q), SIMD, simd.f32x4Mul, SIMD, simd.f32x4Add, set(acc(r, q)));
    }
  }
  e(get(AP), op.i32Const, 4, op.i32Add, set(AP));
  e(get(BP), get(NBYTES), op.i32Add, set(BP));
  e(op.br, 0, op.end, op.end);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < 4; q++) {
      e(get(CP));
      if (r === 1) e(get(NBYTES), op.i32Add);
      e(get(acc(r, q)), SIMD, simd.store, memarg(16 * q));
    }
  }
  e(get(J), op.i32Const, 16, op.i32Add, set(J));
  e(op.br, 0, op.end, op.end);
}

function gemmBody(): number[] {
  const code: number[] = [];
  const e = (...xs: (number | readonly number[])[]) => {
    for (const x of xs) {
      if (typeof x === "number") code.push(x);
      else code.push(...x);
    }
  };
  // nBytes = n << 2; i = 0; m2 = m - 1 (pairs of rows while i < m - 1)
  e(get(N), op.i32Const, 2, op.i32Shl, set(NBYTES));
  e(op.i32Const, 0, set(I));
  e(op.block, EMPTY, op.loop, EMPTY); // pairs of rows
  e(get(I), op.i32Const, 1, op.i32Add, get(M), op.i32GeS, op.brIf, 1);
  rowTile(e, 2);
  e(get(I), op.i32Const, 2, op.i32Add, set(I));
  e(op.br, 0, op.end, op.end);
  e(get(I), get(M), op.i32GeS, op.brIf, 0); // no odd row left: skip to the end
  rowTile(e, 1);
  e(op.end);
  const locals = [2, 8, I32, 13, V128]; // 8 × i32 (I..KBYTES), 13 × v128 (8 acc, 4 B, splat)
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function gemmModuleBytes(): Uint8Array {
  const type = section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]);
  const imports = section(2, [1, ...name("e"), ...name("m"), 0x02, 0x00, 1]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...name("mm"), 0x00, 0]);
  const code = section(10, [1, ...gemmBody()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/** The part of the WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
type GemmFn = (a: number, b: number, c: number, m: number, k: number, n: number, acc: number) => void;

const wasmApi = Reflect.get(globalThis, "WebAssembly") as WasmApi | undefined;
let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function gemmModule(): object | null {
  if (compiled === undefined) {
    try {
      const bytes = gemmModuleBytes();
      compiled = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function simdAvailable(): boolean {
  return gemmModule() !== null;
}

// --- plain JavaScript, same product ------------------------------------------

/**
 * C[m×n] (=|+=) A[m×k]·B[k×n] in JavaScript, each operand starting at its
 * offset: four rows of C per pass over a row of B, so each load of B feeds
 * four multiply-adds.
 */
export function gemmNNJs(
  a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number,
  m: number, k: number, n: number, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!, x3 = a[a3 + p]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) {
        const y = b[bp + j]!;
        c[c0 + j]! += x0 * y;
        c[c1 + j]! += x1 * y;
        c[c2 + j]! += x2 * y;
        c[c3 + j]! += x3 * y;
      }
    }
  }
  for (; i < m; i++) {
    const ci = cOff + i * n;
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += x * b[bp + j]!;
    }
  }
}

// --- the arena ---------------------------------------------------------------

/**
 * Buffers for one cell, carved once from a single memory, and the product
 * `gemm` over them. `useSimd: false` (or no SIMD support) gives plain
 * Float32Arrays and the JavaScript product.
 */
export class GemmArena {
  readonly simd: boolean;
  private readonly memory: WasmMemory | null;
  private readonly mm: GemmFn | null;
  private readonly capacityBytes: number;
  private usedBytes = 0;

  /** `floats`: the total of all `alloc` sizes (each is rounded up to 4 floats). */
  constructor(floats: number, useSimd = true) {
    const mod = useSimd ? gemmModule() : null;
    this.capacityBytes = (floats + 64) * 4;
    if (mod === null || wasmApi === undefined) {
      this.simd = false;
      this.memory = null;
      this.mm = null;
      return;
    }
    this.simd = true;
    this.memory = new wasmApi.Memory({ initial: Math.ceil(this.capacityBytes / 65536) + 1 });
    const inst = new wasmApi.Instance(mod, { e: { m: this.memory } });
    this.mm = inst.exports["mm"] as GemmFn;
  }

  /** A zeroed view of `n` floats, 16-byte aligned. */
  alloc(n: number): Float32Array {
    if (this.memory === null) return new Float32Array(n);
    const bytes = Math.ceil(n / 4) * 16;
    if (this.usedBytes + bytes > this.capacityBytes) throw new Error("GemmArena: capacity exceeded");
    const view = new Float32Array(this.memory.buffer, this.usedBytes, n);
    this.usedBytes += bytes;
    return view;
  }

  /**
   * C[m×n] (=|+=) A[m×k]·B[k×n], operands starting at float offsets aOff,
   * bOff, cOff (offsets, not sub-array views: nothing is allocated per call).
   * With SIMD all three arrays must come from `alloc`.
   */
  gemm(
    a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number,
    m: number, k: number, n: number, accumulate: boolean,
  ): void {
    if (this.mm !== null && (n & 15) === 0) {
      this.mm(a.byteOffset + 4 * aOff, b.byteOffset + 4 * bOff, c.byteOffset + 4 * cOff, m, k, n, accumulate ? 1 : 0);
    } else {
      gemmNNJs(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
    }
  }
}

/** dst[cols×rows] = srcᵀ for a row-major src[rows×cols]. */
export function transpose(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[r + j]!;
  }
}
