/**
 * Finds where a JSON path lies in the source text (1-based line and column),
 * so a validation message can point into the file.
 *
 * The text is already valid JSON (JSON.parse accepted it), but it is the
 * user's: it may nest 20,000 deep or hold 16,000 learners with a problem
 * each. So nothing here recurses, and a `JsonLocator` answers many paths in
 * time linear in the text: each container's children are scanned once and
 * their offsets remembered, skipping a nested value is a flat bracket count,
 * and lines come from a table of line starts searched by bisection.
 */

export interface Location {
  line: number;
  column: number;
}

/** What a scan of one object or array has found so far. */
interface ContainerIndex {
  /** Value start offset per array index. */
  readonly items: number[];
  /** Key and value start offsets per object key (a duplicated key: its first occurrence). */
  readonly keys: Map<string, { key: number; value: number }>;
  /** Where scanning resumes (after the last recorded child), or -1 when the container is done. */
  resume: number;
}

const WS = new Set([" ", "\t", "\n", "\r"]);

export class JsonLocator {
  private readonly text: string;
  private lineStarts: number[] | null = null;
  private readonly containers = new Map<number, ContainerIndex>();

  constructor(text: string) {
    this.text = text;
  }

  /** The location of the value at `path`; a missing key or index reports the nearest existing parent. */
  locate(path: readonly (string | number)[]): Location | undefined {
    let pos = this.skipWs(0);
    let best = pos;
    for (const key of path) {
      best = pos;
      const ch = this.text[pos];
      if (typeof key === "number" && ch === "[") {
        const at = this.child(pos, key);
        if (at === undefined) return this.toLocation(best);
        pos = at;
      } else if (typeof key === "string" && ch === "{") {
        const at = this.child(pos, key);
        if (at === undefined) return this.toLocation(best);
        pos = at;
      } else return this.toLocation(best);
    }
    return this.toLocation(path.length === 0 ? best : pos);
  }

  /**
   * Offsets of the value at `path` ([valueStart, valueEnd)) and, for an object
   * member, of its key; undefined when the path does not exist. For text edits
   * that keep the rest of a file as it was written.
   */
  span(path: readonly (string | number)[]): { keyStart?: number; valueStart: number; valueEnd: number } | undefined {
    let pos = this.skipWs(0);
    let keyStart: number | undefined;
    for (const key of path) {
      const ch = this.text[pos];
      if (!((typeof key === "number" && ch === "[") || (typeof key === "string" && ch === "{"))) return undefined;
      const at = this.child(pos, key);
      if (at === undefined) return undefined;
      keyStart = typeof key === "string" ? this.containers.get(pos)!.keys.get(key)!.key : undefined;
      pos = at;
    }
    return { ...(keyStart !== undefined ? { keyStart } : {}), valueStart: pos, valueEnd: this.skipValue(pos) };
  }

  /** 1-based line and column of a character offset. */
  toLocation(offset: number): Location {
    if (this.lineStarts === null) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo]! + 1 };
  }

  /** The value offset of child `key` of the container starting at `start`, scanning only as far as needed. */
  private child(start: number, key: string | number): number | undefined {
    let c = this.containers.get(start);
    if (c === undefined) {
      c = { items: [], keys: new Map(), resume: this.skipWs(start + 1) };
      if (this.text[c.resume] === (this.text[start] === "{" ? "}" : "]")) c.resume = -1;
      this.containers.set(start, c);
    }
    const isObject = this.text[start] === "{";
    const have = (): number | undefined =>
      typeof key === "number" ? c.items[key] : isObject ? c.keys.get(key)?.value : undefined;
    let found = have();
    while (found === undefined && c.resume >= 0) {
      let pos = c.resume;
      if (isObject) {
        if (this.text[pos] !== '"') {
          c.resume = -1;
          break;
        }
        const keyAt = pos;
        const end = this.skipString(pos);
        const name = JSON.parse(this.text.slice(pos, end)) as string;
        pos = this.skipWs(end);
        pos = this.skipWs(pos + 1); // the colon
        if (!c.keys.has(name)) c.keys.set(name, { key: keyAt, value: pos });
      } else c.items.push(pos);
      pos = this.skipWs(this.skipValue(pos));
      c.resume = this.text[pos] === "," ? this.skipWs(pos + 1) : -1;
      found = have();
    }
    return found;
  }

  private skipWs(pos: number): number {
    let p = pos;
    while (p < this.text.length && WS.has(this.text[p]!)) p++;
    return p;
  }

  /** The offset just after the string that opens at `pos`. */
  private skipString(pos: number): number {
    let p = pos + 1;
    while (p < this.text.length && this.text[p] !== '"') p += this.text[p] === "\\" ? 2 : 1;
    return p + 1;
  }

  /** The offset just after the value that starts at `pos`: a flat scan, however deep the nesting. */
  private skipValue(pos: number): number {
    const text = this.text;
    const ch = text[pos];
    if (ch === '"') return this.skipString(pos);
    if (ch !== "{" && ch !== "[") {
      let p = pos;
      while (p < text.length && !WS.has(text[p]!) && text[p] !== "," && text[p] !== "}" && text[p] !== "]") p++;
      return p;
    }
    let depth = 0;
    let p = pos;
    while (p < text.length) {
      const c = text[p]!;
      if (c === '"') {
        p = this.skipString(p);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return p + 1;
      }
      p++;
    }
    return p;
  }
}

/** One-off lookup; for many paths in one text, keep one `JsonLocator`. */
export function locateJsonPath(text: string, path: readonly (string | number)[]): Location | undefined {
  return new JsonLocator(text).locate(path);
}

export function toLocation(text: string, offset: number): Location {
  return new JsonLocator(text).toLocation(offset);
}
