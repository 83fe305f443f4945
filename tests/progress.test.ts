// The run's progress line on a terminal (src/cli/progress.ts): "epoch e/N" counts the scenario's epochs from
// the first line on, before any epoch has finished. Reference: the scenario's own `epochs` (2 here), which
// every line of a unit must show as its total.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/program.js";
import { progressObserver } from "../src/cli/progress.js";

const dir = mkdtempSync(join(tmpdir(), "neurocompare-progress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the progress line", () => {
  it("shows the unit's epochs as the total during the first epoch (onStart gives them)", () => {
    let text = "";
    const p = progressObserver({ isTTY: true, write: (t: string) => (text += t) });
    p.onStart?.(1, 0, 3, 3);
    p.onProgress?.("mlp", 1, 1, 0.5);
    expect(text).toMatch(/mlp · seed 1 · epoch 1\/3 [█░]{20} 50%/);
  });

  it("on a terminal, a 2-epoch run shows epoch 1/2, then 2/2, never 1/1", async () => {
    const file = join(dir, "two-epochs.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "two-epochs",
        task: { type: "xor", trainSize: 80, testSize: 20, noise: 0.1 },
        learners: [{ type: "mlp", hidden: [4], batchSize: 4 }],
        epochs: 2,
        seeds: [1],
        charts: [],
      }),
    );
    let err = "";
    const tty = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    const spies = [
      vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
        err += String(s);
        return true;
      }),
      vi.spyOn(process.stdout, "write").mockImplementation(() => true),
      vi.spyOn(console, "log").mockImplementation(() => undefined),
    ];
    try {
      expect(await main(["run", file, "--out", join(dir, "out"), "--jobs", "1"])).toBe(0);
    } finally {
      for (const s of spies) s.mockRestore();
      if (tty === undefined) delete (process.stderr as { isTTY?: boolean }).isTTY;
      else Object.defineProperty(process.stderr, "isTTY", tty);
    }
    const shown = [...err.matchAll(/· epoch (\d+)\/(\d+) /g)].map((m) => `${m[1]}/${m[2]}`);
    expect(shown[0]).toBe("1/2");
    expect(new Set(shown)).toEqual(new Set(["1/2", "2/2"]));
  });
});
