// Every bundled scenario, run from the CLI and its report opened in chromium: no
// console error or warning, no request, every chart live with marks and inside
// its figure, no horizontal overflow at 700 and 1280 px; then the index of all of them. Too long
// for `npm test` (minutes of training), so it runs only with
// NEUROCOMPARE_ALL_SCENARIOS=1 (`npm run check:reports`).
//
// Scenarios that take more than about 20 s run from a temporary copy cut down
// to at most 3 epochs (1 per phase in continual learning; pruning scenarios keep
// theirs, with sample-counted pruning intervals shrunk alike), 2 seeds and 600
// training / 200 test samples; a routing scenario to 2 seeds, 300 nodes, 200 test
// pairs and 2 damage trials. The report has the same charts and tables, with
// smaller numbers. The reports, the index and the screenshots stay in
// test-output/all-scenarios/ for a person to open.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chartStates,
  horizontalOverflow,
  launchChromium,
  openReport,
  screenshotDir,
  tableOverflows,
  type Browser,
} from "./helpers/browser.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
/** Scenarios that run in about 20 s or less (README's scenario table): run as they are. */
const FULL = new Set(["xor", "quickstart", "cuba", "izhikevich-presets", "stdp-song", "cue-recall"]);

type Json = Record<string, unknown>;

/**
 * A learning scenario cut down for a quick run (see the file comment). A
 * pruning schedule counted in samples keeps its number of applications: its
 * interval shrinks with the training set, and the epochs stay.
 */
function reduced(s: Json): Json {
  const learners = (s["learners"] as Json[] | undefined) ?? [];
  const pruned = learners.some((l) => l["pruning"] !== undefined);
  const out: Json = { ...s, epochs: pruned ? s["epochs"] : Math.min(Number(s["epochs"] ?? 1), s["continual"] ? 1 : 3) };
  const seeds = s["seeds"];
  if (Array.isArray(seeds)) out["seeds"] = seeds.slice(0, 2);
  const task = s["task"] as Json | undefined;
  if (task !== undefined) {
    const trainSize = Number(task["trainSize"] ?? 60_000);
    const cut = Math.min(trainSize, 600);
    out["task"] = { ...task, trainSize: cut, testSize: Math.min(Number(task["testSize"] ?? 10_000), 200) };
    out["learners"] = learners.map((l) => {
      const schedule = (l["pruning"] as Json | undefined)?.["schedule"] as Json | undefined;
      const every = schedule?.["every"] as Json | undefined;
      if (every?.["samples"] === undefined) return l;
      const samples = Math.max(1, Math.round((Number(every["samples"]) * cut) / trainSize));
      return { ...l, pruning: { ...(l["pruning"] as Json), schedule: { ...schedule, every: { samples } } } };
    });
  }
  return out;
}

/** A routing scenario cut down for a quick run (see the file comment): its sweep and strategies stay. */
function reducedRouting(s: Json): Json {
  const task = s["task"] as Json;
  const evaluation = (s["evaluation"] as Json | undefined) ?? {};
  return {
    ...s,
    seeds: (s["seeds"] as unknown[]).slice(0, 2),
    task: { ...task, nodes: Math.min(Number(task["nodes"] ?? 1000), 300) },
    evaluation: { ...evaluation, testPairs: 200, damageTrials: 2 },
  };
}

/** The scenario as this check runs it. */
function cutDown(s: Json): Json {
  if (s["kind"] === "network") return s;
  return s["kind"] === "routing" ? reducedRouting(s) : reduced(s);
}

const enabled = process.env["NEUROCOMPARE_ALL_SCENARIOS"] === "1";

describe.skipIf(!enabled)("every bundled scenario's report in chromium (NEUROCOMPARE_ALL_SCENARIOS=1)", () => {
  const files = readdirSync(join(root, "scenarios")).filter((f) => f.endsWith(".json") && f !== "schema.json");
  const results = join(root, "test-output", "all-scenarios", "results");
  const shots = screenshotDir("all-scenarios");
  let browser: Browser | null = null;
  let skipReason = "";

  beforeAll(async () => {
    mkdirSync(results, { recursive: true });
    const launched = await launchChromium();
    if ("reason" in launched) {
      if (process.env["CI"]) throw new Error(`CI is set but ${launched.reason}`);
      skipReason = launched.reason;
    } else browser = launched;
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const file of files) {
    const name = file.replace(/\.json$/, "");
    it(`${name}: runs${FULL.has(name) ? "" : " (cut down)"} and its report opens cleanly`, {
      timeout: 1_800_000,
    }, async (ctx) => {
      let path = join(root, "scenarios", file);
      if (!FULL.has(name)) {
        const s = JSON.parse(readFileSync(path, "utf8")) as Json;
        const dir = mkdtempSync(join(tmpdir(), "neurocompare-all-"));
        path = join(dir, file);
        writeFileSync(path, JSON.stringify(cutDown(s)));
      }
      // A fresh folder per scenario, so that a run of some scenarios (vitest -t) keeps the others' reports.
      rmSync(join(results, name), { recursive: true, force: true });
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [cli, "run", path, "--out", join(results, name), "--quiet"], {
        cwd: root,
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(0);
      process.stdout.write(
        `${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s; ${r.stdout.trim().split("\n").join(" | ")}\n`,
      );
      if (browser === null) return ctx.skip(skipReason);
      for (const width of [700, 1280]) {
        const { page, log } = await openReport(browser.context, join(results, name, "report.html"), width);
        try {
          for (const c of await chartStates(page)) {
            expect(c.live, `${c.id} went live`).toBe(true);
            expect(c.marks, `${c.id} drew marks`).toBeGreaterThan(0);
            expect(c.overflowPx, `${c.id} fits its figure at ${width} px`).toBe(0);
          }
          expect(await horizontalOverflow(page)).toBe(0);
          // Tables scroll in their own box; at 1280 px one that does is named, for a person to judge.
          if (width === 1280)
            for (const t of (await tableOverflows(page)).filter((x) => x.overflowPx > 0))
              process.stdout.write(`${name}: table "${t.table}…" runs ${t.overflowPx} px past its box at 1280 px\n`);
          await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
          expect(log.problems).toEqual([]);
          expect(log.requests).toEqual([]);
        } finally {
          await page.close();
        }
      }
    });
  }

  it("indexes them all", async (ctx) => {
    const r = spawnSync(process.execPath, [cli, "report", results], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    if (browser === null) return ctx.skip(skipReason);
    const { page, log } = await openReport(browser.context, join(results, "index.html"), 1280);
    try {
      await page.screenshot({ path: join(shots, "index-1280.png"), fullPage: true });
      expect(log.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
