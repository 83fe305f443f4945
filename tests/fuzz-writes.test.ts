/**
 * Fuzz property: no command writes a file outside its output folder. Each
 * generated scenario (a tiny run whose learner names, and so its sweep
 * labels and receptive-field image names, come from a list of path tricks
 * with a marker and from fast-check's arbitrary strings) goes through every command of tests/fuzz/commands.ts in
 * a sandbox: the CLI runs with its working folder, output folder and
 * temporary folder (TMPDIR, for crash reports) inside it. Afterwards every
 * file in the sandbox must lie in an allowed place, and no file named with
 * the marker may exist in the sandbox's parents, /tmp or / (where a name
 * with enough `..` would land).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS, type SandboxPaths } from "./fuzz/commands.js";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const MARKER = "nc-fuzz-victim";
const CASES = Number(process.env.NEUROCOMPARE_FUZZ_WRITE_CASES ?? 2);
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const TRICKS = [
  `../../../../../../../../../../../../tmp/${MARKER}`,
  `../../${MARKER}`,
  `/tmp/${MARKER}-abs`,
  `..\\..\\${MARKER}-win`,
  `${MARKER}\u0000nul`,
  `CON`,
  `a/${MARKER}/b`,
  `\u202e${MARKER}gnp.exe`,
  `${"x".repeat(300)}${MARKER}`,
];

const nameArb = fc.oneof(fc.constantFrom(...TRICKS), fc.string({ minLength: 1, maxLength: 40 }));

/** Four 3×3 images in IDX format (labels 0, 1, 0, 1): a task that loads in no time. */
function tinyIdx(dir: string): { images: string; labels: string } {
  const head = (dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b[2] = 0x08;
    b[3] = dims.length;
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  const images = join(dir, "images.idx");
  const labels = join(dir, "labels.idx");
  writeFileSync(
    images,
    Buffer.concat([head([4, 3, 3]), Buffer.from(Array.from({ length: 36 }, (_, i) => (i * 37) % 256))]),
  );
  writeFileSync(labels, Buffer.concat([head([4]), Buffer.from([0, 1, 0, 1])]));
  return { images, labels };
}

/** A scenario whose strings that reach file names are generated: stdp learners draw receptive-field images. */
const scenarioArb = fc.record({ a: nameArb, b: nameArb }).map(({ a, b }) => ({
  format: 2,
  name: "writes",
  description: "strings that reach file names",
  task: {
    type: "idx",
    train: { imagesPath: "IMAGES", labelsPath: "LABELS" },
    test: { imagesPath: "IMAGES", labelsPath: "LABELS" },
  },
  learners: [
    { type: "stdp", name: a, excitatory: 4, presentationMs: 10, restMs: 2, assignmentWindow: 8 },
    { type: "mlp", name: b === a ? `${b}2` : b, hidden: [3] },
  ],
  sweep: [{ learner: b === a ? `${b}2` : b, parameter: "batchSize", values: [4, 8] }],
  epochs: 1,
  evaluation: { costSamples: 2 },
  charts: ["learning-curve", "weight-histogram"],
}));

function walk(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else out.push(p);
    }
  }
  return out;
}

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + sep);

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  return new Map(
    walk(dir).map((f) => {
      const st = statSync(f);
      return [f, `${st.size}:${st.mtimeMs}`] as const;
    }),
  );
}

function markerFiles(): string[] {
  const places = ["/", tmpdir(), "/tmp"].filter((d, i, a) => a.indexOf(d) === i && existsSync(d));
  return places.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((n) => n.includes(MARKER))
        .map((n) => join(d, n));
    } catch {
      return [];
    }
  });
}

describe("fuzz: files written", () => {
  it(`every command on ${CASES} generated scenarios writes only inside its output folder`, () => {
    expect(existsSync(cli), "dist/ is missing: run `npm run build`").toBe(true);
    const before = new Set(markerFiles());
    let commandsRun = 0;
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const root = mkdtempSync(join(tmpdir(), "nc-writes-"));
        roots.push(root);
        const p: SandboxPaths = {
          root,
          cwd: join(root, "work", "a", "b", "c"),
          scenario: join(root, "in", "s.json"),
          out: join(root, "work", "a", "b", "c", "out"),
        };
        const tmp = join(root, "tmp");
        for (const d of [p.cwd, dirname(p.scenario), tmp]) mkdirSync(d, { recursive: true });
        const data = tinyIdx(dirname(p.scenario));
        writeFileSync(
          p.scenario,
          JSON.stringify(scenario, null, 2)
            .replaceAll('"IMAGES"', JSON.stringify(data.images))
            .replaceAll('"LABELS"', JSON.stringify(data.labels)),
        );
        for (const c of COMMANDS) {
          const before = snapshot(root);
          const r = spawnSync(process.execPath, [cli, ...c.args(p)], {
            cwd: p.cwd,
            encoding: "utf8",
            env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
            timeout: 120_000,
          });
          commandsRun++;
          // Refusals are fine (exit 2); a crash is not, and neither is a stray file.
          expect(r.status, `${c.name}: ${r.stderr}`).not.toBe(70);
          const allowed = [p.out, tmp, ...(c.mayWrite?.(p) ?? [])];
          // What this command created or changed.
          const written = [...snapshot(root)].filter(([f, v]) => before.get(f) !== v).map(([f]) => f);
          const stray = written.filter((f) => !allowed.some((a) => inside(f, a)));
          expect(stray, `${c.name} wrote outside its output folder`).toEqual([]);
        }
        const escaped = markerFiles().filter((f) => !before.has(f));
        expect(escaped, "a file named with the marker escaped the sandbox").toEqual([]);
        expect(statSync(p.scenario).isFile()).toBe(true);
      }),
      { numRuns: CASES, seed: Number(process.env.NEUROCOMPARE_FUZZ_SEED ?? 29), endOnFailure: true },
    );
    expect(commandsRun).toBe(CASES * COMMANDS.length);
  }, 600_000);
});
