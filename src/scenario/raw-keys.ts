/**
 * Keys that JSON.parse keeps as own properties but that JavaScript objects
 * treat specially. A `"__proto__"` key in a record (parameters, initial
 * values) would be dropped by the validator, or replace the record's
 * prototype, so the file is refused at that key instead. The walk uses an
 * explicit stack and parent links (a path is built only for a key it
 * reports): a file may nest 20,000 deep.
 */

const SPECIAL_KEYS = new Set(["__proto__"]);
/** Places reported; a file with more gets the first ones. */
const MAX_REPORTED = 50;

interface Frame {
  value: unknown;
  key: string | number;
  parent: Frame | null;
}

function pathOf(f: Frame | null, last: string): (string | number)[] {
  const out: (string | number)[] = [last];
  for (let p = f; p !== null && p.parent !== null; p = p.parent) out.push(p.key);
  return out.reverse();
}

export function specialKeyPaths(raw: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: Frame[] = [{ value: raw, key: "", parent: null }];
  while (stack.length > 0 && out.length < MAX_REPORTED) {
    const frame = stack.pop()!;
    const value = frame.value;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: frame });
      continue;
    }
    const keys = Object.keys(value);
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k]!;
      if (SPECIAL_KEYS.has(key)) out.push(pathOf(frame, key));
      else stack.push({ value: (value as Record<string, unknown>)[key], key, parent: frame });
    }
  }
  return out;
}
