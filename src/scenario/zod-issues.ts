/**
 * Turns zod's validation issues into ours: the JSON path, what was expected
 * and what was found (described from the raw value in the file), and where
 * the path lies in the text.
 */
import type { z } from "zod";
import type { Issue } from "../core/errors.js";
import { JsonLocator } from "./json-locate.js";

type Path = readonly PropertyKey[];

export function formatPath(path: Path): string {
  let s = "$";
  for (const k of path) {
    if (typeof k === "number") s += `[${k}]`;
    else if (typeof k === "string" && /^[A-Za-z_$][\w$]*$/.test(k)) s += `.${k}`;
    else s += `[${JSON.stringify(String(k))}]`;
  }
  return s;
}

/** The segments of a path written by `formatPath` ("$.a[0][\"b c\"]" -> ["a", 0, "b c"]); undefined if it is not one. */
export function parsePath(text: string): (string | number)[] | undefined {
  if (!text.startsWith("$")) return undefined;
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    const m = re.exec(text);
    if (m === null || re.lastIndex === at) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
  }
  return out;
}

function valueAt(root: unknown, path: Path): { present: boolean; value: unknown } {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return { present: false, value: undefined };
    const rec = cur as Record<PropertyKey, unknown>;
    if (!(k in rec)) return { present: false, value: undefined };
    cur = rec[k];
  }
  return { present: true, value: cur };
}

/** "number 0.5", "string \"abc\"", "an array of 3 items", "nothing (the key is missing)". */
export function describeValue(present: boolean, v: unknown): string {
  if (!present) return "nothing (the key is missing)";
  if (v === null) return "null";
  if (Array.isArray(v))
    return v.length === 0 ? "an empty array" : `an array of ${v.length} item${v.length === 1 ? "" : "s"}`;
  if (typeof v === "object") return "an object";
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function listOf(values: readonly unknown[]): string {
  const parts = values.map((v) => JSON.stringify(v));
  return parts.length === 1 ? parts[0]! : `one of ${parts.join(", ")}`;
}

function expectedFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "an integer" : `a value of type ${issue.expected}`;
    case "too_small": {
      const min = String(issue.minimum);
      const op = issue.inclusive ? "≥" : ">";
      if (issue.origin === "array") return `an array with ${op} ${min} item(s)`;
      if (issue.origin === "string") return `a string of length ${op} ${min}`;
      return `a number ${op} ${min}`;
    }
    case "too_big": {
      const max = String(issue.maximum);
      const op = issue.inclusive ? "≤" : "<";
      if (issue.origin === "array") return `an array with ${op} ${max} item(s)`;
      if (issue.origin === "string") return `a string of length ${op} ${max}`;
      return `a number ${op} ${max}`;
    }
    case "invalid_value":
      return listOf(issue.values);
    case "invalid_format":
      return issue.message;
    default:
      return issue.message;
  }
}

export function zodIssuesToIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  text: string,
  schema?: unknown,
): Issue[] {
  const out: Issue[] = [];
  // One locator for all issues: thousands of them (16,000 duplicate learners) stay linear in the file size.
  const locator = new JsonLocator(text);
  const push = (path: Path, expected: string, found: string) => {
    const loc = locator.locate(path.filter((k): k is string | number => typeof k !== "symbol"));
    out.push({ path: formatPath(path), expected, found, line: loc?.line, column: loc?.column });
  };
  for (const issue of issues) {
    const { present, value } = valueAt(raw, issue.path);
    if (issue.code === "unrecognized_keys") {
      const allowed = schema === undefined ? undefined : allowedKeysAt(schema, raw, issue.path);
      const expected =
        allowed === undefined
          ? "only the keys of scenarios/schema.json"
          : `one of the keys ${allowed.map((k) => JSON.stringify(k)).join(", ")}`;
      for (const key of issue.keys) push([...issue.path, key], expected, `unknown key "${key}"`);
    } else if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator !== undefined) {
      const options = (issue as { options?: unknown[] }).options ?? [];
      const what = issue.path.length >= 1 ? String(issue.path[issue.path.length - 2] ?? "") : "";
      const kind =
        what === "task"
          ? "a known task type"
          : what === "learners" || typeof issue.path[issue.path.length - 2] === "number"
            ? "a known learner type"
            : "a known type";
      push(issue.path, `${kind}: ${listOf(options)}`, describeValue(present, value));
    } else if (issue.code === "invalid_type" && !present) {
      push(issue.path, `${expectedFor(issue)} (this key is required)`, describeValue(present, value));
    } else if (issue.code === "custom" && issue.message.includes("|")) {
      const [expected, found] = issue.message.split("|") as [string, string];
      push(issue.path, expected, found);
    } else {
      push(issue.path, expectedFor(issue), describeValue(present, value));
    }
  }
  return out;
}

/** Minimal view of zod v4 schema internals, enough to walk to an object's keys. */
interface SchemaNode {
  def: {
    type: string;
    innerType?: SchemaNode;
    element?: SchemaNode;
    options?: SchemaNode[];
    in?: SchemaNode;
    shape?: Record<string, SchemaNode>;
  };
  shape?: Record<string, SchemaNode>;
}

function unwrap(node: SchemaNode): SchemaNode {
  let n = node;
  for (let i = 0; i < 10; i++) {
    const inner = n.def.innerType ?? (n.def.type === "pipe" ? n.def.in : undefined);
    if (inner === undefined) break;
    n = inner;
  }
  return n;
}

/** The keys an object at `path` may have, walking the schema alongside the raw data. */
export function allowedKeysAt(schema: unknown, raw: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let node = unwrap(schema as SchemaNode);
  let value: unknown = raw;
  const pickOption = () => {
    if (node.def.type !== "union" || node.def.options === undefined) return;
    const t = value !== null && typeof value === "object" ? (value as Record<string, unknown>)["type"] : undefined;
    const match = node.def.options.find((o) => {
      const lit = unwrap(o).shape?.["type"] as { def?: { values?: unknown[] } } | undefined;
      return lit?.def?.values?.includes(t) ?? false;
    });
    if (match !== undefined) node = unwrap(match);
  };
  for (const key of path) {
    pickOption();
    if (node.def.type === "array" && node.def.element !== undefined) node = unwrap(node.def.element);
    else if (node.shape !== undefined && typeof key === "string" && node.shape[key] !== undefined)
      node = unwrap(node.shape[key]);
    else return undefined;
    value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  pickOption();
  return node.shape !== undefined ? Object.keys(node.shape) : undefined;
}
