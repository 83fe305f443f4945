// The README's shell lines as written, through the built CLI (dist/): a reader
// that closes the pipe early (`neurocompare schema | head`) ends no command with
// an EPIPE stack trace, and `neurocompare validate scenarios/*.json` (the glob
// also matches scenarios/schema.json) accepts the folder, skipping the JSON
// Schema document with a note.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "neurocompare-pipes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a closed pipe", () => {
  // schema prints ~200 kB, far beyond a pipe's 64 kB buffer, so head's exit always
  // leaves writes pending; the others print less and may or may not meet the closed pipe.
  for (const args of ["schema", "--help", "list", "list --learners", "run --help", "bench --help"]) {
    it(`neurocompare ${args} | head -c 1: exit 0, nothing on stderr`, () => {
      const r = spawnSync(
        "bash",
        [
          "-c",
          `node "${cli}" ${args} 2>"${dir}/err" | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${dir}/err"`,
        ],
        { cwd: root, encoding: "utf8", timeout: 60_000 },
      );
      const [status, ...stderr] = r.stdout.split("\n");
      expect(stderr.join("\n").trim()).toBe("");
      expect(status).toBe("0");
    });
  }
});

describe("validate over a folder", () => {
  it("validate scenarios/*.json: every scenario ok, schema.json skipped with a note, exit 0", () => {
    const files = readdirSync(join(root, "scenarios"))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => `scenarios/${f}`);
    expect(files).toContain("scenarios/schema.json");
    const r = spawnSync("node", [cli, "validate", ...files], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("scenarios/schema.json: skipped (a JSON Schema document, not a scenario)");
    expect(r.stdout).toContain("scenarios/quickstart.json: ok");
    // The count says what runs: lottery-ticket's two learners are three runs a seed once the ticket's
    // rewind sweep (init, reinit) is counted; the routing sweep's 12 settings hold 3 strategies each.
    expect(r.stdout).toContain(
      "scenarios/lottery-ticket.json: ok (lottery-ticket: 2 learner(s), 3 runs per seed (ticket at 2 sweep points, random-pruning) on mnist, 62 epoch(s), 5 seed(s), 15 unit(s) in all;",
    );
    expect(r.stdout).toContain(
      "scenarios/navlakha-routing-sweep.json: ok (navlakha-routing-sweep: 3 routing strategies at 12 sweep points, 36 runs per seed on 1000 nodes, 10 interval(s), 10 seed(s), 360 unit(s) in all;",
    );
    expect(r.stdout).toContain("scenarios/xor.json: ok (xor: 2 learner(s) on xor,");
    expect(r.stdout.trim().split("\n").length).toBe(files.length);
  });

  it("a scenario pointing to the schema is still checked, and a bad one still fails", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ $schema: "./schema.json", name: "bad", task: { type: "xor" }, learners: [] }));
    // Mentions json-schema.org, but its $schema is not a meta-schema: a scenario, checked.
    const sneaky = join(dir, "sneaky.json");
    writeFileSync(sneaky, JSON.stringify({ $schema: "./schema.json", description: "see json-schema.org", name: "x" }));
    const r = spawnSync("node", [cli, "validate", bad, sneaky, join(root, "scenarios/schema.json")], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("bad.json");
    expect(r.stderr).toContain("sneaky.json");
    expect(r.stdout).toContain("schema.json: skipped");
  });
});
