/** Number formatting shared by the report tables and the chart captions. */

/** A number with `digits` significant digits; large or tiny values in exponent form ("1.23e6"); NaN as "–". */
export function formatSig(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return "–";
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e5 || abs < 1e-3) {
    const [mant, exp] = v.toExponential(digits - 1).split("e") as [string, string];
    return `${mant.replace(/\.?0+$/, "")}e${exp.replace(/^\+/, "")}`;
  }
  // toPrecision may switch to exponent form for integers with more digits than asked: round instead.
  if (abs >= 10 ** digits) return Math.round(v).toString();
  return String(Number(v.toPrecision(digits)));
}

/** A p-value: "<0.001" below a thousandth, three decimals otherwise, "–" when undefined. */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return "–";
  return p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** A list for a sentence: "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
