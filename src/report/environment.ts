/**
 * The versions behind a run, for the report's reproducibility section: this
 * package, Node, the platform, and each runtime dependency (the range in
 * package.json and the version installed under node_modules).
 */
import { readFileSync } from "node:fs";
import type { Environment } from "../runs/results.js";
import { packageVersion } from "../version.js";

/** package.json sits two levels above this file in both src/report/ and dist/report/. */
const root = new URL("../../", import.meta.url);

function readJson(url: URL): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(readFileSync(url, "utf8"));
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function collectEnvironment(): Environment {
  const pkg = readJson(new URL("package.json", root)) ?? {};
  const declared = (pkg["dependencies"] ?? {}) as Record<string, unknown>;
  const dependencies: Environment["dependencies"] = {};
  for (const [name, range] of Object.entries(declared).sort(([a], [b]) => a.localeCompare(b))) {
    const installed = readJson(new URL(`node_modules/${name}/package.json`, root))?.["version"];
    dependencies[name] = { declared: String(range), installed: typeof installed === "string" ? installed : "?" };
  }
  return {
    packageVersion,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    dependencies,
  };
}
