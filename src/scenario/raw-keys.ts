/**
 * Keys that JSON.parse keeps as own properties but that JavaScript objects
 * treat specially. A `"__proto__"` key in a record (parameters, initial
 * values) would be dropped by the validator, or replace the record's
 * prototype, so the file is refused at that key instead. The walk uses an
 * explicit stack: a file may nest 20,000 deep.
 */

const SPECIAL_KEYS = new Set(["__proto__"]);
/** Places reported; a file with more gets the first ones. */
const MAX_REPORTED = 50;

export function specialKeyPaths(raw: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: raw, path: [] }];
  while (stack.length > 0 && out.length < MAX_REPORTED) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(value);
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k]!;
      if (SPECIAL_KEYS.has(key)) out.push([...path, key]);
      else stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return out;
}
