/**
 * Edits to a JSON document, applied two ways: to the parsed value (a scenario
 * upgraded in memory as it loads; a new value, the input untouched) and to the text (`neurocompare migrate`
 * rewriting a file). The text edits touch only the characters of the members
 * they change, so the user's indentation, key order, line breaks and the
 * formatting of everything else stay as they were written.
 */
import { JsonLocator } from "./json-locate.js";

export type JsonPath = readonly (string | number)[];

export type JsonEdit =
  /** Sets the value at `path`, adding the key to its object (after `after`, or first) when missing. */
  | { op: "set"; path: JsonPath; value: unknown; after?: string }
  /** Renames the object key at `path` to `to`, keeping its value and position. */
  | { op: "rename"; path: JsonPath; to: string }
  /** Removes the object key at `path`. */
  | { op: "remove"; path: JsonPath };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function setKey(obj: Obj, key: string, value: unknown): void {
  // defineProperty, not assignment: a key named __proto__ must stay an ordinary key.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A shallow copy of an object or array. */
function copyOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.slice();
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) setKey(out, k, v[k]);
  return out;
}

/**
 * The value with the edits applied, copying only the containers on the edited
 * paths (the rest is shared, never deep-copied: a file may nest 20,000 deep,
 * deeper than structuredClone or JSON.stringify can go). Key order is kept; a
 * key set after `after` goes there, a new key otherwise first.
 */
export function applyToValue(root: unknown, edits: readonly JsonEdit[]): unknown {
  let out = copyOf(root);
  for (const e of edits) {
    if (e.path.length === 0) continue;
    out = copyOf(out);
    let parent: unknown = out;
    for (const k of e.path.slice(0, -1)) {
      const child = (parent as Record<string | number, unknown>)[k];
      if (child === null || typeof child !== "object" || (typeof k === "number") !== Array.isArray(parent)) {
        parent = undefined;
        break;
      }
      const copy = copyOf(child);
      if (Array.isArray(parent)) parent[k as number] = copy;
      else setKey(parent as Obj, k as string, copy);
      parent = copy;
    }
    const last = e.path[e.path.length - 1]!;
    if (Array.isArray(parent) && typeof last === "number" && e.op === "set") {
      parent[last] = e.value;
      continue;
    }
    if (!isObj(parent) || typeof last !== "string") continue;
    const entries = Object.keys(parent).map((k) => [k, parent[k]] as [string, unknown]);
    let next: [string, unknown][];
    if (e.op === "remove") next = entries.filter(([k]) => k !== last);
    else if (e.op === "rename") next = entries.map(([k, v]) => [k === last ? e.to : k, v]);
    else if (Object.hasOwn(parent, last)) next = entries.map(([k, v]) => [k, k === last ? e.value : v]);
    else {
      const at = e.after !== undefined ? entries.findIndex(([k]) => k === e.after) + 1 : 0;
      next = [...entries.slice(0, at), [last, e.value], ...entries.slice(at)];
    }
    for (const k of Object.keys(parent)) delete parent[k];
    for (const [k, v] of next) setKey(parent, k, v);
  }
  return out;
}

/** Deep equality of two parsed JSON values, key order included, with an explicit stack (any depth). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (let i = 0; i < kx.length; i++) {
      if (kx[i] !== ky[i]) return false;
      stack.push([(x as Obj)[kx[i]!], (y as Obj)[ky[i]!]]);
    }
  }
  return true;
}

/** The whitespace between `{` and the object's first key: the indentation its members use. */
function memberIndent(text: string, open: number): string {
  let p = open + 1;
  while (p < text.length && /\s/.test(text[p]!)) p++;
  return text.slice(open + 1, p);
}

/** Applies one edit to the text; returns the new text (unchanged when the path is not there). */
function editText(text: string, e: JsonEdit): string {
  const loc = new JsonLocator(text);
  const at = loc.span(e.path);
  if (e.op === "rename") {
    if (at?.keyStart === undefined) return text;
    const keyEnd = text.indexOf(":", at.keyStart);
    const keyText = text.slice(at.keyStart, keyEnd).trimEnd();
    return text.slice(0, at.keyStart) + JSON.stringify(e.to) + text.slice(at.keyStart + keyText.length);
  }
  if (e.op === "remove") {
    if (at?.keyStart === undefined) return text;
    // Take the member with the comma after it, or (the last member) the comma before it.
    let end = at.valueEnd;
    let q = end;
    while (q < text.length && /\s/.test(text[q]!)) q++;
    let start = at.keyStart;
    if (text[q] === ",") {
      end = q + 1;
      while (end < text.length && /[ \t]/.test(text[end]!)) end++;
      if (text[end] === "\r") end++;
      if (text[end] === "\n") end++;
      // Remove the member's own indentation too.
      let s = start;
      while (s > 0 && /[ \t]/.test(text[s - 1]!)) s--;
      if (s === 0 || text[s - 1] === "\n") start = s;
    } else {
      let p = start - 1;
      while (p >= 0 && /\s/.test(text[p]!)) p--;
      if (text[p] === ",") start = p;
    }
    return text.slice(0, start) + text.slice(end);
  }
  const value = JSON.stringify(e.value);
  if (at !== undefined) return text.slice(0, at.valueStart) + value + text.slice(at.valueEnd);
  const parent = loc.span(e.path.slice(0, -1));
  const key = e.path[e.path.length - 1];
  if (parent === undefined || typeof key !== "string" || text[parent.valueStart] !== "{") return text;
  const open = parent.valueStart;
  const indent = memberIndent(text, open);
  const member = `${JSON.stringify(key)}: ${value}`;
  const after = e.after !== undefined ? loc.span([...e.path.slice(0, -1), e.after]) : undefined;
  if (after !== undefined) {
    // After the named member: a comma, then the new member on the same kind of line as the others.
    const sep = indent.includes("\n") ? `,${indent}` : ", ";
    return text.slice(0, after.valueEnd) + sep + member + text.slice(after.valueEnd);
  }
  const inner = text.slice(open + 1, parent.valueEnd - 1);
  if (inner.trim() === "") return `${text.slice(0, open + 1)}${member}${text.slice(parent.valueEnd - 1)}`;
  const sep = indent.includes("\n") ? `,${indent}` : ", ";
  return text.slice(0, open + 1) + indent + member + sep + text.slice(open + 1 + indent.length);
}

/** Applies edits to JSON text in order, keeping the formatting of everything they do not touch. */
export function applyToText(text: string, edits: readonly JsonEdit[]): string {
  let out = text;
  for (const e of edits) out = editText(out, e);
  return out;
}
