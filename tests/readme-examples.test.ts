// The README's pruning example checked against the program beyond what the doc test
// (readme-doctest.test.ts) does with each block: the stdp schedule validates where its applications fit
// and is refused, as `run` refuses it, where they do not. References: `run`, whose refusals `validate`
// must reproduce (it builds the first seed's learners as run does before writing anything); CITATION.cff
// against package.json. (The quickstart block and the Python block are run by the doc test.)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/program.js";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "neurocompare-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first ```json block after the heading `heading` that contains `needle`. */
function jsonBlock(heading: string, needle: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README heading ${heading}`).toBeGreaterThan(0);
  const re = /```json\n([\s\S]*?)```/g;
  re.lastIndex = start;
  for (let m = re.exec(readme); m !== null; m = re.exec(readme)) if (m[1]!.includes(needle)) return m[1]!;
  throw new Error(`no json block with ${needle} after ${heading}`);
}

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const so = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const se = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(argv), err };
  } finally {
    process.exitCode = undefined;
    so.mockRestore();
    se.mockRestore();
  }
}

describe("the README's scenario examples", () => {
  it("CITATION.cff gives the package's version and licence", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const cff = readFileSync(join(root, "CITATION.cff"), "utf8");
    expect(cff).toMatch(/^cff-version: 1\.2\.0$/m);
    expect(cff).toContain(`\nversion: "${pkg.version}"\n`);
    expect(cff).toContain(`\nlicense: ${pkg.license}\n`);
  });

  const pruned = JSON.parse(jsonBlock("## Pruning and structural plasticity", '"type": "stdp"'));
  const scenario = (trainSize: number) => ({
    name: "readme-pruning",
    task: { type: "mnist", trainSize, testSize: 50 },
    learners: [pruned],
    epochs: 1,
  });

  it("the stdp pruning snippet validates where its 20 applications of 375 samples fit (7,500 samples)", async () => {
    const file = join(dir, "fits.json");
    writeFileSync(file, JSON.stringify(scenario(7500)));
    const r = await cli("validate", file);
    expect(r.code, r.err).toBe(0);
  });

  it("on a smaller task validate refuses it as run does, and run leaves no folder behind", async () => {
    const file = join(dir, "small.json");
    writeFileSync(file, JSON.stringify(scenario(200)));
    const v = await cli("validate", file);
    expect(v.code).toBe(2);
    expect(v.err).toContain(`${file}:`);
    expect(v.err).toContain(
      'at $.learners[0]: expected a learner that can be built for this task, found learner "developmental"',
    );
    expect(v.err).toContain("pruning.schedule: needs 20 applications but training gives only 0");
    const out = join(dir, "out");
    const r = await cli("run", file, "--out", out, "--quiet");
    expect(r.code).toBe(2);
    expect(r.err).toContain("needs 20 applications but training gives only 0");
    expect(existsSync(out)).toBe(false);
  });
});
