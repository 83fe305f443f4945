/**
 * Finds where a JSON path lies in the source text (1-based line and column),
 * so a validation message can point into the file. A small recursive-descent
 * scan of already-valid JSON that records each value's start offset.
 */

export interface Location {
  line: number;
  column: number;
}

export function locateJsonPath(text: string, path: readonly (string | number)[]): Location | undefined {
  let pos = 0;
  const skipWs = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const readString = (): string => {
    const start = pos;
    pos++; // opening quote
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const skipValue = (): void => {
    skipWs();
    const ch = text[pos];
    if (ch === '"') readString();
    else if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      pos++;
      skipWs();
      if (text[pos] === close) {
        pos++;
        return;
      }
      for (;;) {
        skipWs();
        if (ch === "{") {
          readString();
          skipWs();
          pos++; // colon
        }
        skipValue();
        skipWs();
        if (text[pos] === ",") pos++;
        else {
          pos++;
          return;
        }
      }
    } else {
      while (pos < text.length && !/[\s,}\]]/.test(text[pos]!)) pos++;
    }
  };
  // Walk down the path; a missing final key reports its parent object.
  let best = 0;
  skipWs();
  for (const key of path) {
    best = pos;
    const ch = text[pos];
    if (typeof key === "number" && ch === "[") {
      pos++;
      for (let i = 0; i < key; i++) {
        skipValue();
        skipWs();
        if (text[pos] !== ",") return toLocation(text, best);
        pos++;
      }
      skipWs();
      if (text[pos] === "]") return toLocation(text, best);
    } else if (typeof key === "string" && ch === "{") {
      pos++;
      let found = false;
      for (;;) {
        skipWs();
        if (text[pos] !== '"') break;
        const keyStart = pos;
        const k = readString();
        skipWs();
        pos++; // colon
        skipWs();
        if (k === key) {
          found = true;
          best = keyStart;
          break;
        }
        skipValue();
        skipWs();
        if (text[pos] === ",") pos++;
        else break;
      }
      if (!found) return toLocation(text, best);
    } else {
      return toLocation(text, best);
    }
    skipWs();
  }
  return toLocation(text, path.length === 0 ? best : pos);
}

export function toLocation(text: string, offset: number): Location {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}
