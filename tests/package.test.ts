/**
 * The published package, as a user installs it: `npm pack`, then the tarball
 * installed into a fresh folder, imported from ESM, and its command run with
 * `npx neurocompare`. Checked against what package.json promises: the
 * `exports` entry loads the documented API, the `bin` runs, the bundled
 * scenarios validate, the LICENSE ships, and every source map ships with the
 * source file it points to (a map without its source is useless to a
 * debugger).
 *
 * Offline by design: the fresh folder gets a lockfile holding the runtime
 * dependencies exactly as this repository's package-lock.json pins them, so
 * `npm ci --offline` takes every tarball from the npm cache that installing
 * this repository filled (a plain `npm install --offline` needs registry
 * metadata that `npm ci` does not cache, and fails with ENOTCACHED).
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

let dir = "";
let app = "";
let installed = "";

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Every file under `d`, relative to it. */
function walk(d: string, prefix = ""): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

beforeAll(() => {
  if (!existsSync(join(root, "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  dir = mkdtempSync(join(tmpdir(), "neurocompare-pack-"));
  // --ignore-scripts: dist/ is already built (npm test's pretest), and rebuilding it here would pull it from
  // under the test files that run the CLI in parallel.
  const packed = run(npm, ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root);
  const tarball = `file:${join(dir, packed.stdout.trim().split("\n").pop()!)}`;
  app = join(dir, "app");
  mkdirSync(app);
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const runtime = Object.fromEntries(Object.entries(lock.packages).filter(([k, v]) => k !== "" && v.dev !== true));
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "pack-check", private: true, type: "module", dependencies: { [pkg.name]: tarball } }),
  );
  writeFileSync(
    join(app, "package-lock.json"),
    JSON.stringify({
      name: "pack-check",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "pack-check", dependencies: { [pkg.name]: tarball } },
        [`node_modules/${pkg.name}`]: {
          version: pkg.version,
          resolved: tarball,
          license: pkg.license,
          dependencies: pkg.dependencies,
          bin: pkg.bin,
          engines: pkg.engines,
        },
        ...runtime,
      },
    }),
  );
  run(npm, ["ci", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], app);
  installed = join(app, "node_modules", pkg.name);
}, 120_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("imports from ESM through its exports entry and validates a bundled scenario", () => {
    const script = `
      const api = await import("neurocompare");
      const { readFileSync } = await import("node:fs");
      const { createRequire } = await import("node:module");
      const file = createRequire(import.meta.url).resolve("neurocompare/package.json").replace(/package\\.json$/, "scenarios/quickstart.json");
      const v = api.validateScenario(readFileSync(file, "utf8"), file);
      let refused = "";
      try { api.validateScenario({ name: "x" }); } catch (e) { refused = e.constructor.name + " " + e.code; }
      console.log(JSON.stringify({ kind: v.kind, name: v.scenario.name, refused, lowestK: "lowestK" in api }));`;
    const r = run(process.execPath, ["--input-type=module", "-e", script], app);
    expect(JSON.parse(r.stdout)).toEqual({
      kind: "learning",
      name: "quickstart",
      refused: "ScenarioError E_SCENARIO_INVALID",
      lowestK: false,
    });
  });

  it("the build leaves the bin executable in the clone (npx and npm link run dist/cli/main.js itself)", () => {
    // tsc writes files 0644; `npm run build` (which npm test, parity and bench:all run first) sets the bit
    // again, or `npx neurocompare` in the clone fails with "Permission denied" after any rebuild.
    for (const bin of Object.values(pkg.bin)) expect(statSync(join(root, bin)).mode & 0o111, bin).toBe(0o111);
  });

  it("runs `npx neurocompare --help` and `validate` from the installed bin", () => {
    const help = run(npx, ["--no", "--", "neurocompare", "--help"], app);
    expect(help.stdout).toMatch(/^Usage: neurocompare/);
    expect(help.stdout).toContain("validate");
    const v = run(
      npx,
      ["--no", "--", "neurocompare", "validate", join(installed, "scenarios", "quickstart.json")],
      app,
    );
    expect(v.stdout).toMatch(/quickstart\.json: ok/);
  });

  it("ships the LICENSE, the type declarations, and each source map with the source it points to", () => {
    const files = walk(installed);
    expect(files).toContain("LICENSE");
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(files).toContain("dist/index.d.ts");
    expect(files.some((f) => f.startsWith("tests/"))).toBe(false);
    const maps = files.filter((f) => f.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(100);
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(installed, m), "utf8")) as { sources: string[] };
      for (const s of map.sources) {
        const source = resolve(dirname(join(installed, m)), s);
        expect(existsSync(source), `${m} points to ${s}`).toBe(true);
      }
    }
  });
});
