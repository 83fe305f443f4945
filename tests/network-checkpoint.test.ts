// Network units resume from checkpoints bit for bit. The reference is the
// same seed simulated in one go (runNetworkSeed, the in-memory path): a unit
// cut into slices, stopped part way and resumed from its checkpoint, or
// resumed from any of the checkpoints it saves along the way (what a killed
// process leaves), must give the same spikes, rates, state traces, plastic
// weights and figures exactly (timing aside). Checked on the bundled network
// scenarios (CUBA; Izhikevich presets; Song et al. 2000's STDP with Poisson
// inputs, whose random streams must resume too), shortened to keep the test
// fast. Then through run(): a stop (AbortSignal) in the middle of a network
// seed writes partial results, and the resumed run's metrics.csv equals an
// uninterrupted one's apart from the timing rows (buildMs, simMs).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/api/run.js";
import { progressObserver } from "../src/cli/progress.js";
import { captureState, encodeSnapshot } from "../src/core/snapshot.js";
import { NETWORK_SLICES, runNetworkSeed, runNetworkUnitAsync, type SeedRun } from "../src/runs/run-network.js";
import { loadAnyScenario } from "../src/scenario/load.js";
import type { NetworkScenario } from "../src/scenario/network-schema.js";

const root = join(import.meta.dirname, "..");

function network(name: string, durationMs: number): NetworkScenario {
  const loaded = loadAnyScenario(join(root, "scenarios", `${name}.json`));
  if (loaded.kind !== "network") throw new Error(`${name} is not a network scenario`);
  return { ...loaded.scenario, durationMs };
}

/** A seed's figures and recordings as bytes, timing removed: equal bytes, equal numbers (NaN and -0 included). */
function bytesOf(r: { run: SeedRun; recordings: unknown }): Uint8Array {
  const { buildMs: _b, simMs: _s, ...figures } = r.run;
  return encodeSnapshot(captureState({ figures, recordings: r.recordings }), null);
}

const cases: [string, number][] = [
  ["cuba", 100],
  ["izhikevich-presets", 200],
  ["stdp-song", 2000],
];

describe("network units: checkpoints and resume", () => {
  for (const [name, durationMs] of cases) {
    it(`${name}: stopped and resumed, or resumed from any saved checkpoint, equals one uninterrupted run`, async () => {
      const s = network(name, durationMs);
      const seed = s.seeds[0]!;
      const reference = bytesOf(runNetworkSeed(s, name, seed, true));

      // Stopped after 37 of the slices, then resumed from the checkpoint the stop wrote.
      let slices = 0;
      let saved: Uint8Array | null = null;
      const stopped = await runNetworkUnitAsync({
        scenario: s,
        file: name,
        seed,
        record: true,
        checkpoint: null,
        saveCheckpoint: (b) => {
          saved = b;
        },
        shouldStop: () => slices >= 37,
        onProgress: () => slices++,
      });
      expect(stopped.status).toBe("stopped");
      expect(saved).not.toBeNull();
      const resumed = await runNetworkUnitAsync({
        scenario: s,
        file: name,
        seed,
        record: true,
        checkpoint: saved,
        saveCheckpoint: () => {},
        shouldStop: () => false,
        onProgress: () => slices++,
      });
      expect(resumed.status).toBe("finished");
      if (resumed.status !== "finished") return;
      expect(slices).toBe(NETWORK_SLICES);
      expect(bytesOf(resumed)).toEqual(reference);

      // A checkpoint after every slice (interval 0): resuming from an early and a late one, as after a kill.
      const all: Uint8Array[] = [];
      const full = await runNetworkUnitAsync({
        scenario: s,
        file: name,
        seed,
        record: true,
        checkpoint: null,
        saveCheckpoint: (b) => all.push(b),
        shouldStop: () => false,
        checkpointEveryMs: 0,
      });
      expect(full.status).toBe("finished");
      expect(all.length).toBe(NETWORK_SLICES - 1);
      for (const k of [3, NETWORK_SLICES - 2]) {
        const r = await runNetworkUnitAsync({
          scenario: s,
          file: name,
          seed,
          record: true,
          checkpoint: all[k]!,
          saveCheckpoint: () => {},
          shouldStop: () => false,
        });
        if (r.status !== "finished") throw new Error("a resumed unit stopped");
        expect(bytesOf(r)).toEqual(reference);
      }
    });
  }

  it("run(): a stop in the middle of a network seed keeps its checkpoint; the resumed metrics.csv equals an uninterrupted run's", async () => {
    const s = { ...network("cuba", 300), seeds: [1, 2] };
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-network-resume-"));
    const plain = await run(s, { out: join(dir, "plain"), jobs: 1 });
    expect(plain.exitCode).toBe(0);
    const controller = new AbortController();
    const out = join(dir, "stopped");
    const first = await run(s, {
      out,
      jobs: 1,
      signal: controller.signal,
      events: {
        onProgress: (_l, seed, _e, fraction) => {
          if (seed === 2 && fraction >= 0.4) controller.abort();
        },
      },
    });
    expect(first.exitCode).toBe(130);
    expect(first.missing).toEqual(["network seed 2"]);
    expect(existsSync(join(out, "units", "network", "2", "checkpoint.bin"))).toBe(true);
    const second = await run(s, { out, jobs: 1 });
    expect(second.exitCode).toBe(0);
    expect(second.resumed).toBe(true);
    expect(existsSync(join(out, "units", "network", "2", "checkpoint.bin"))).toBe(false);
    const strip = (d: string) =>
      readFileSync(join(d, "metrics.csv"), "utf8")
        .split("\n")
        .filter((l) => !/,(buildMs|simMs|wallMs),/.test(l))
        .join("\n");
    expect(strip(out)).toBe(strip(join(dir, "plain")));
    for (const f of ["spikes.csv", "state.csv"])
      expect(readFileSync(join(out, f), "utf8")).toBe(readFileSync(join(dir, "plain", f), "utf8"));
  });

  it("run(): a stop in the middle of the recorded seed continues its streamed spikes.csv and state.csv from the checkpoint; without them it starts the seed again", async () => {
    // The first seed streams its recordings into its unit folder as it runs: a checkpoint records their
    // lengths, and the resumed unit cuts them back to those lengths and continues. The reference is an
    // uninterrupted run's files, byte for byte.
    const s = { ...network("cuba", 300), seeds: [1] };
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-network-stream-resume-"));
    const plain = await run(s, { out: join(dir, "plain"), jobs: 1 });
    expect(plain.exitCode).toBe(0);
    for (const lose of [false, true]) {
      const out = join(dir, lose ? "lost" : "kept");
      const controller = new AbortController();
      const first = await run(s, {
        out,
        jobs: 1,
        signal: controller.signal,
        events: {
          onProgress: (_l, _seed, _e, fraction) => {
            if (fraction >= 0.5) controller.abort();
          },
        },
      });
      expect(first.exitCode).toBe(130);
      const unit = join(out, "units", "network", "1");
      expect(existsSync(join(unit, "checkpoint.bin"))).toBe(true);
      expect(existsSync(join(unit, "spikes.csv.partial"))).toBe(true);
      // A partial file gone (cleaned up by hand): the checkpoint cannot continue it, so the seed starts again.
      if (lose) rmSync(join(unit, "state.csv.partial"));
      const second = await run(s, { out, jobs: 1 });
      expect(second.exitCode).toBe(0);
      for (const f of ["spikes.csv", "state.csv"])
        expect(readFileSync(join(out, f), "utf8")).toBe(readFileSync(join(dir, "plain", f), "utf8"));
      expect(existsSync(join(unit, "spikes.csv.partial"))).toBe(false);
    }
  });

  it("shows an ETA on a terminal during a network run's first seed, and plain lines when piped", () => {
    const capture = (tty: boolean) => {
      let text = "";
      const p = progressObserver({
        isTTY: tty,
        write: (t: string) => {
          text += t;
        },
      });
      p.onStart?.(2, 0, 2, 1);
      p.onProgress?.("network", 1, 1, 0.5);
      const run: SeedRun = { seed: 1, plastic: [], synapses: 10, buildMs: 1, simMs: 2, groups: [] };
      p.onSeed?.(run);
      return text;
    };
    const tty = capture(true);
    expect(tty).toMatch(/network · seed 1 [█░]{20} 50% · units 0\/2 · ETA \d+s/);
    expect(tty).not.toContain("last test acc");
    expect(tty).toMatch(/seed=1 synapses=10 .*· ETA \d+s\n/);
    expect(capture(false)).toBe("seed=1 synapses=10 buildMs=1 simMs=2 \n");
  });
});
