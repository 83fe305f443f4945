/**
 * A column (by postsynaptic neuron) index over a CSR SynapseMatrix, so a
 * postsynaptic spike walks exactly the synapses onto that neuron:
 * synapses onto j are colSyn[colPtr[j] .. colPtr[j+1]), with their sources in
 * colPre. Built once (and again after the matrix is compacted).
 */
import type { SynapseMatrix } from "../snn/synapses/csr.js";

export interface ColumnIndex {
  colPtr: Int32Array;
  colSyn: Int32Array;
  colPre: Int32Array;
}

export function buildColumnIndex(m: SynapseMatrix): ColumnIndex {
  const n = m.count;
  const colPtr = new Int32Array(m.nPost + 1);
  const t = m.target;
  for (let s = 0; s < n; s++) colPtr[t[s]! + 1]!++;
  for (let j = 0; j < m.nPost; j++) colPtr[j + 1]! += colPtr[j]!;
  const fill = colPtr.slice(0, m.nPost);
  const colSyn = new Int32Array(n);
  const colPre = new Int32Array(n);
  for (let i = 0; i < m.nPre; i++) {
    for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++) {
      const k = fill[t[s]!]!++;
      colSyn[k] = s;
      colPre[k] = i;
    }
  }
  return { colPtr, colSyn, colPre };
}

/**
 * An all-to-all layer as a CSR matrix whose weight array is the dense
 * row-major matrix w[pre·nPost + post] itself (shared, not copied): rules that
 * work on CSR synapses then work on the dense matrix too.
 */
export function denseStructure(nPre: number, nPost: number): { rowPtr: Int32Array; target: Int32Array } {
  const rowPtr = new Int32Array(nPre + 1);
  const target = new Int32Array(nPre * nPost);
  for (let i = 0; i < nPre; i++) {
    rowPtr[i + 1] = (i + 1) * nPost;
    for (let j = 0; j < nPost; j++) target[i * nPost + j] = j;
  }
  return { rowPtr, target };
}

/**
 * Whether every row of `m` holds all nPost targets in order (an all-to-all
 * population): then synapse (i, j) is rowPtr[i] + j, and a rule can visit a
 * row's synapses by target (the few neurons with a trace) instead of walking
 * the row.
 */
export function hasCompleteRows(m: SynapseMatrix): boolean {
  if (m.count !== m.nPre * m.nPost) return false;
  const { rowPtr, target } = m;
  for (let i = 0; i < m.nPre; i++) {
    const start = rowPtr[i]!;
    if (rowPtr[i + 1]! - start !== m.nPost) return false;
    for (let j = 0; j < m.nPost; j++) if (target[start + j] !== j) return false;
  }
  return true;
}
