/**
 * WebAssembly SIMD kernels for the recurrent cells, and the arena of buffers
 * they work on:
 *
 *   mm:    C[m×n] (=|+=) A[m×k] · B[k×n]      row-major, n a multiple of 16
 *   lstm:  the LSTM's element-wise step (gates, cell state, output), H % 4 = 0
 *   gru:   the GRU's element-wise step (PyTorch variant), H % 4 = 0
 *   exp:   y = exp(x) over an array (exposed for tests)
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
  f32x4Nearest: [0x6a], f32x4Neg: [0xe1, 0x01],
  f32x4Add: [0xe4, 0x01], f32x4Sub: [0xe5, 0x01], f32x4Mul: [0xe6, 0x01], f32x4Div: [0xe7, 0x01],
  f32x4Min: [0xe8, 0x01], f32x4Max: [0xe9, 0x01],
  i32x4Shl: [0xab, 0x01], i32x4Add: [0xae, 0x01], i32x4TruncSatF32x4S: [0xf8, 0x01],
} as const;

/** v128.const with four copies of a float32 (or, with `int`, an int32). */
function splatConst(v: number, int = false): number[] {
  const lanes = int ? new Int32Array([v, v, v, v]) : new Float32Array([v, v, v, v]);
  return [SIMD, ...simd.const, ...new Uint8Array(lanes.buffer)];
}

type Emit = (...xs: (number | readonly number[])[]) => void;

function emitter(): { code: number[]; e: Emit } {
  const code: number[] = [];
  const e: Emit = (...xs) => {
    for (const x of xs) {
      if (typeof x === "number") code.push(x);
      else code.push(...x);
    }
  };
  return { code, e };
}

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

// --- exp, sigmoid, tanh over four lanes ----------------------------------------

/**
 * exp of the v128 on the stack, left on the stack (Cephes expf: n = round(x·log2 e),
 * r = x − n·ln 2 in two parts, a degree-6 polynomial for e^r, 2^n put straight
 * into the exponent bits; x clamped to [−87, 88] so 2^n stays a normal float).
 * Relative error about 2e-7. Uses scratch v128 locals x, n.
 */
function emitExp(e: Emit, x: number, n: number): void {
  e(splatConst(-87), SIMD, simd.f32x4Max, splatConst(88), SIMD, simd.f32x4Min, op.localTee, x);
  e(get(x), splatConst(Math.LOG2E), SIMD, simd.f32x4Mul, SIMD, simd.f32x4Nearest, op.localTee, n);
  e(splatConst(0.693359375), SIMD, simd.f32x4Mul, SIMD, simd.f32x4Sub); // x − n·C1
  e(get(n), splatConst(-2.12194440e-4), SIMD, simd.f32x4Mul, SIMD, simd.f32x4Sub, set(x)); // r
  const coef = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  e(splatConst(coef[0]!));
  for (let i = 1; i < coef.length; i++) e(get(x), SIMD, simd.f32x4Mul, splatConst(coef[i]!), SIMD, simd.f32x4Add);
  e(get(x), SIMD, simd.f32x4Mul, get(x), SIMD, simd.f32x4Mul, get(x), SIMD, simd.f32x4Add, splatConst(1), SIMD, simd.f32x4Add);
  e(get(n), SIMD, simd.i32x4TruncSatF32x4S, splatConst(127, true), SIMD, simd.i32x4Add, op.i32Const, 23, SIMD, simd.i32x4Shl);
  e(SIMD, simd.f32x4Mul);
}

/** σ(v) = 1 / (1 + e^−v) of the v128 on the stack. */
function emitSigmoid(e: Emit, x: number, n: number): void {
  e(SIMD, simd.f32x4Neg);
  emitExp(e, x, n);
  e(splatConst(1), SIMD, simd.f32x4Add, set(x), splatConst(1), get(x), SIMD, simd.f32x4Div);
}

/** tanh(v) = 2 / (1 + e^−2v) − 1 of the v128 on the stack. */
function emitTanh(e: Emit, x: number, n: number): void {
  e(splatConst(-2), SIMD, simd.f32x4Mul);
  emitExp(e, x, n);
  e(splatConst(1), SIMD, simd.f32x4Add, set(x), splatConst(2), get(x), SIMD, simd.f32x4Div, splatConst(1), SIMD, simd.f32x4Sub);
}

/** exp(src, dst, count): dst[i] = exp(src[i]), count a multiple of 4. */
function expBody(): number[] {
  const { code, e } = emitter();
  const SRC = 0, DST = 1, CNT = 2, END = 3, X = 4, NN = 5;
  e(get(SRC), get(CNT), op.i32Const, 2, op.i32Shl, op.i32Add, set(END));
  e(op.block, EMPTY, op.loop, EMPTY);
  e(get(SRC), get(END), op.i32GeS, op.brIf, 1);
  e(get(DST), get(SRC), SIMD, simd.load, memarg(0));
  emitExp(e, X, NN);
  e(SIMD, simd.store, memarg(0));
  e(get(SRC), op.i32Const, 16, op.i32Add, set(SRC), get(DST), op.i32Const, 16, op.i32Add, set(DST));
  e(op.br, 0, op.end, op.end, op.end);
  const body = [2, 1, I32, 2, V128, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * lstm(gates, cPrev, c, tanhC, h, batch, hidden): for each sample b and unit j
 * (four at a time), with the pre-activations [a_i a_f a_g a_o] of row b:
 * gates ← [σ(a_i) σ(a_f) tanh(a_g) σ(a_o)], c = f·cPrev + i·g,
 * tanhC = tanh(c), h = o·tanhC. Rows of c, tanhC, h, cPrev are `hidden` long.
 */
function lstmBody(): number[] {
  const { code, e } = emitter();
  const G = 0, CPREV = 1, CC = 2, TC = 3, HH = 4, BATCH = 5, HID = 6;
  const BI = 7, JB = 8, HB = 9, GP = 10, EP = 11;
  const VI = 12, VF = 13, VG = 14, VO = 15, VC = 16, X = 17, NN = 18;
  e(get(HID), op.i32Const, 2, op.i32Shl, set(HB)); // hidden in bytes
  e(op.i32Const, 0, set(BI));
  e(op.block, EMPTY, op.loop, EMPTY); // samples
  e(get(BI), get(BATCH), op.i32GeS, op.brIf, 1);
  e(op.i32Const, 0, set(JB));
  e(op.block, EMPTY, op.loop, EMPTY); // units, 16 bytes at a time
  e(get(JB), get(HB), op.i32GeS, op.brIf, 1);
  // gp = gates + b·4·hiddenBytes + jb; ep = b·hiddenBytes + jb
  e(get(G), get(BI), get(HB), op.i32Mul, op.i32Const, 2, op.i32Shl, op.i32Add, get(JB), op.i32Add, set(GP));
  e(get(BI), get(HB), op.i32Mul, get(JB), op.i32Add, set(EP));
  const gate = (q: number, v: number, f: (e: Emit, x: number, n: number) => void) => {
    e(get(GP));
    for (let r = 0; r < q; r++) e(get(HB), op.i32Add);
    e(SIMD, simd.load, memarg(0));
    f(e, X, NN);
    e(set(v));
    e(get(GP));
    for (let r = 0; r < q; r++) e(get(HB), op.i32Add);
    e(get(v), SIMD, simd.store, memarg(0));
  };
  gate(0, VI, emitSigmoid);
  gate(1, VF, emitSigmoid);
  gate(2, VG, emitTanh);
  gate(3, VO, emitSigmoid);
  // c = f·cPrev + i·g
  e(get(VF), get(CPREV), get(EP), op.i32Add, SIMD, simd.load, memarg(0), SIMD, simd.f32x4Mul);
  e(get(VI), get(VG), SIMD, simd.f32x4Mul, SIMD, simd.f32x4Add, set(VC));
  e(get(CC), get(EP), op.i32Add, get(VC), SIMD, simd.store, memarg(0));
  // tanhC, h
  e(get(VC));
  emitTanh(e, X, NN);
  e(set(VC));
  e(get(TC), get(EP), op.i32Add, get(VC), SIMD, simd.store, memarg(0));
  e(get(HH), get(EP), op.i32Add, get(VO), get(VC), SIMD, simd.f32x4Mul, SIMD, simd.store, memarg(0));
  e(get(JB), op.i32Const, 16, op.i32Add, set(JB));
  e(op.br, 0, op.end, op.end);
  e(get(BI), op.i32Const, 1, op.i32Add, set(BI));
  e(op.br, 0, op.end, op.end);
  e(op.end);
  const body = [2, 5, I32, 7, V128, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * gru(ax, ah, hPrev, h, batch, hidden): PyTorch's GRU step for each sample b
 * and unit j (four at a time), rows [r z n] of `ax` (input side, with bias)
 * and `ah` (recurrent side, with bias): r = σ(ax_r + ah_r),
 * z = σ(ax_z + ah_z), n = tanh(ax_n + r·ah_n); ax ← [r z n];
 * h = (1 − z)·n + z·hPrev.
 */
function gruBody(): number[] {
  const { code, e } = emitter();
  const AX = 0, AH = 1, HPREV = 2, HH = 3, BATCH = 4, HID = 5;
  const BI = 6, JB = 7, HB = 8, GP = 9, HP = 10, EP = 11;
  const VR = 12, VZ = 13, VN = 14, X = 15, NN = 16;
  e(get(HID), op.i32Const, 2, op.i32Shl, set(HB));
  e(op.i32Const, 0, set(BI));
  e(op.block, EMPTY, op.loop, EMPTY); // samples
  e(get(BI), get(BATCH), op.i32GeS, op.brIf, 1);
  e(op.i32Const, 0, set(JB));
  e(op.block, EMPTY, op.loop, EMPTY); // units, 16 bytes at a time
  e(get(JB), get(HB), op.i32GeS, op.brIf, 1);
  // gp = b·3·hiddenBytes + jb (offset into ax and ah rows); ep = b·hiddenBytes + jb
  e(get(BI), get(HB), op.i32Mul, op.i32Const, 3, op.i32Mul, get(JB), op.i32Add, set(GP));
  e(get(BI), get(HB), op.i32Mul, get(JB), op.i32Add, set(EP));
  const at = (base: number, q: number) => {
    e(get(base), get(GP), op.i32Add);
    for (let r = 0; r < q; r++) e(get(HB), op.i32Add);
  };
  // r, z
  for (const [q, v] of [[0, VR], [1, VZ]] as const) {
    at(AX, q);
    e(SIMD, simd.load, memarg(0));
    at(AH, q);
    e(SIMD, simd.load, memarg(0), SIMD, simd.f32x4Add);
    emitSigmoid(e, X, NN);
    e(set(v));
    at(AX, q);
    e(get(v), SIMD, simd.store, memarg(0));
  }
  // n = tanh(ax_n + r·ah_n)
  at(AX, 2);
  e(SIMD, simd.load, memarg(0), get(VR));
  at(AH, 2);
  e(SIMD, simd.load, memarg(0), SIMD, simd.f32x4Mul, SIMD, simd.f32x4Add);
  emitTanh(e, X, NN);
  e(set(VN));
  at(AX, 2);
  e(get(VN), SIMD, simd.store, memarg(0));
  // h = n + z·(hPrev − n)
  e(get(HH), get(EP), op.i32Add, set(HP));
  e(get(HP), get(VN), get(VZ), get(HPREV), get(EP), op.i32Add, SIMD, simd.load, memarg(0), get(VN), SIMD, simd.f32x4Sub);
  e(SIMD, simd.f32x4Mul, SIMD, simd.f32x4Add, SIMD, simd.store, memarg(0));
  e(get(JB), op.i32Const, 16, op.i32Add, set(JB));
  e(op.br, 0, op.end, op.end);
  e(get(BI), op.i32Const, 1, op.i32Add, set(BI));
  e(op.br, 0, op.end, op.end);
  e(op.end);
  const body = [2, 6, I32, 5, V128, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  // Types: 0 = (i32 × 7) → (), 1 = (i32 × 3) → (), 2 = (i32 × 6) → ().
  const type = section(1, [3, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0, 0x60, 3, I32, I32, I32, 0,
    0x60, 6, I32, I32, I32, I32, I32, I32, 0]);
  const imports = section(2, [1, ...name("e"), ...name("m"), 0x02, 0x00, 1]);
  const funcs = section(3, [4, 0, 0, 1, 2]);
  const exports = section(7, [4, ...name("mm"), 0x00, 0, ...name("lstm"), 0x00, 1, ...name("exp"), 0x00, 2,
    ...name("gru"), 0x00, 3]);
  const code = section(10, [4, ...gemmBody(), ...lstmBody(), ...expBody(), ...gruBody()]);
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
type LstmFn = (g: number, cPrev: number, c: number, tc: number, h: number, batch: number, hidden: number) => void;
type ExpFn = (src: number, dst: number, count: number) => void;
type GruFn = (ax: number, ah: number, hPrev: number, h: number, batch: number, hidden: number) => void;

const wasmApi = Reflect.get(globalThis, "WebAssembly") as WasmApi | undefined;
let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function gemmModule(): object | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
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
  private readonly lstm: LstmFn | null;
  private readonly vexp: ExpFn | null;
  private readonly gru: GruFn | null;
  private readonly capacityBytes: number;
  private usedBytes = 0;

  /** `floats`: the total of all `alloc` sizes (each is rounded up to 4 floats). */
  constructor(floats: number, useSimd = true) {
    const mod = useSimd ? gemmModule() : null;
    this.capacityBytes = (floats + 64) * 4;
    let memory: WasmMemory | null = null;
    let exports: Record<string, unknown> | null = null;
    // The kernels take signed 32-bit byte addresses: stay below 2 GiB. A memory
    // that cannot be had (too large for this process) means plain JavaScript.
    if (mod !== null && wasmApi !== undefined && this.capacityBytes < 2 ** 31 - 2 * 65536) {
      try {
        memory = new wasmApi.Memory({ initial: Math.ceil(this.capacityBytes / 65536) + 1 });
        exports = new wasmApi.Instance(mod, { e: { m: memory } }).exports;
      } catch {
        memory = null;
        exports = null;
      }
    }
    this.simd = exports !== null;
    this.memory = exports !== null ? memory : null;
    this.mm = exports !== null ? (exports["mm"] as GemmFn) : null;
    this.lstm = exports !== null ? (exports["lstm"] as LstmFn) : null;
    this.vexp = exports !== null ? (exports["exp"] as ExpFn) : null;
    this.gru = exports !== null ? (exports["gru"] as GruFn) : null;
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

  /** Whether `lstmStep` can run for this hidden size (SIMD and hidden % 4 = 0). */
  hasLstmStep(hidden: number): boolean {
    return this.lstm !== null && (hidden & 3) === 0;
  }

  /**
   * The LSTM element-wise step in SIMD (see lstmBody); all arrays from `alloc`,
   * offsets in floats. Call only when `hasLstmStep(hidden)`.
   */
  lstmStep(
    gates: Float32Array, gOff: number, cs: Float32Array, cPrevOff: number, cOff: number,
    tanhC: Float32Array, tcOff: number, hs: Float32Array, hOff: number, batch: number, hidden: number,
  ): void {
    this.lstm!(gates.byteOffset + 4 * gOff, cs.byteOffset + 4 * cPrevOff, cs.byteOffset + 4 * cOff,
      tanhC.byteOffset + 4 * tcOff, hs.byteOffset + 4 * hOff, batch, hidden);
  }

  /** Whether `gruStep` can run for this hidden size (SIMD and hidden % 4 = 0). */
  hasGruStep(hidden: number): boolean {
    return this.gru !== null && (hidden & 3) === 0;
  }

  /** The GRU element-wise step in SIMD (see gruBody); offsets in floats. Only when `hasGruStep(hidden)`. */
  gruStep(
    ax: Float32Array, ah: Float32Array, gOff: number, hs: Float32Array, hPrevOff: number, hOff: number,
    batch: number, hidden: number,
  ): void {
    this.gru!(ax.byteOffset + 4 * gOff, ah.byteOffset + 4 * gOff, hs.byteOffset + 4 * hPrevOff,
      hs.byteOffset + 4 * hOff, batch, hidden);
  }

  /** dst = exp(src) elementwise, src clamped to [-87, 88] (SIMD approximation; Math.exp without SIMD); count % 4 = 0. */
  exp(src: Float32Array, dst: Float32Array, count: number): void {
    if (this.vexp !== null) this.vexp(src.byteOffset, dst.byteOffset, count);
    else for (let i = 0; i < count; i++) dst[i] = Math.exp(Math.min(88, Math.max(-87, src[i]!)));
  }
}

/** dst[cols×rows] = srcᵀ for a row-major src[rows×cols]. */
export function transpose(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[r + j]!;
  }
}
