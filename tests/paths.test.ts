// The output-path builder (src/core/paths.ts): every user string that reaches a
// file name becomes a safe component, and no output path leaves its folder.
// The end-to-end case is the reported exploit: a `stdp` learner whose name
// climbs out of the results folder to overwrite a file elsewhere.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fileComponent, outputPath } from "../src/core/paths.js";

const hostile = [
  "..",
  ".",
  "../../etc/passwd",
  "x/../../../../tmp/somewhere/victim",
  "a/b",
  "a\\b",
  "..\\..\\windows",
  "nul\0byte",
  "CON",
  "con.txt",
  "LPT1",
  "Com3.png",
  "x".repeat(5000),
  "ünïcödé",
  "名前",
  "abc\u202Egnp.exe", // right-to-left override
  "abc\u200Fdef", // right-to-left mark
  "trailing.",
  " spaced ",
  "",
  "-dash",
  ".hidden",
  "/absolute",
  "C:\\absolute",
];

describe("fileComponent", () => {
  it("keeps safe names unchanged", () => {
    for (const name of ["mlp", "stdp-400", "lsm_2", "mlp.hidden-64", "A1"]) expect(fileComponent(name)).toBe(name);
  });

  it.each(hostile.map((h) => [JSON.stringify(h).slice(0, 60), h]))(
    "makes %s a plain, portable component",
    (_label, name) => {
      const c = fileComponent(name);
      expect(c).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(c).not.toMatch(/^\.\.?$/);
      expect(c).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
      expect(c.length).toBeLessThanOrEqual(64 + 9);
      expect(c.endsWith(".")).toBe(false);
      // Changed names carry a hash of the original, so it is not silently shared.
      expect(c).toMatch(/-[0-9a-f]{8}$/);
    },
  );

  it("maps distinct names that slug alike to distinct components", () => {
    const names = ["a/b", "a\\b", "a b", "a?b", "a:b", "a*b"];
    expect(new Set(names.map(fileComponent)).size).toBe(names.length);
  });

  it("is deterministic", () => {
    expect(fileComponent("x/../y")).toBe(fileComponent("x/../y"));
  });
});

describe("outputPath", () => {
  const root = resolve(tmpdir(), "nc-paths-root");

  it("joins plain components inside the folder", () => {
    expect(outputPath(root, "charts", "a.png")).toBe(join(root, "charts", "a.png"));
  });

  it("refuses components that could leave the folder", () => {
    for (const bad of ["..", ".", "", "a/b", "a\\b", "nul\0", "/etc", "../x"]) {
      expect(() => outputPath(root, bad), bad).toThrow(/internal: output path/);
    }
  });

  it("accepts every hostile name once it went through fileComponent, and the result stays inside", () => {
    for (const name of hostile) {
      const p = outputPath(root, "charts", `${fileComponent(name)}.png`);
      const rel = relative(root, p);
      expect(rel.startsWith("..")).toBe(false);
      expect(rel.split(/[/\\]/)).toHaveLength(2);
    }
  });
});

describe("a learner name that climbs out of the folder (CLI, end to end)", () => {
  it("writes its receptive fields inside the results folder and nothing outside", () => {
    const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
    const base = mkdtempSync(join(tmpdir(), "nc-escape-"));
    const out = join(base, "a", "b", "out");
    mkdirSync(out, { recursive: true });
    // The victim sits two levels above the output folder; before the fix, path.join
    // normalised charts/receptive-fields-x/../../../../victim.png to exactly there.
    const victim = join(base, "a", "victim.png");
    writeFileSync(victim, "precious");
    const scenario = {
      name: "escape",
      description: "a learner name that climbs out of the results folder",
      task: { type: "mnist", trainSize: 20, testSize: 10 },
      learners: [
        {
          type: "stdp",
          name: "x/../../../../victim",
          excitatory: 4,
          presentationMs: 20,
          restMode: "reset",
          batchSize: 10,
        },
      ],
      epochs: 1,
      seeds: [0],
      charts: ["learning-curve"],
    };
    const file = join(base, "escape.json");
    writeFileSync(file, JSON.stringify(scenario));
    const r = spawnSync(process.execPath, [cli, "run", file, "--out", out, "--quiet"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(readdirSync(join(base, "a")).sort()).toEqual(["b", "victim.png"]);
    const images = readdirSync(join(out, "charts")).filter((f) => f.startsWith("receptive-fields-"));
    expect(images).toHaveLength(1);
    expect(images[0]).toMatch(/^receptive-fields-x-victim-[0-9a-f]{8}\.png$/);
  });
});
