// The README's troubleshooting table, row by row: each row's mistake is made as a
// user would make it (a file written in a fresh folder, a command run through the
// built CLI, dist/cli/main.js, or through bash for the missing command), and the
// output must contain every message the row's first column shows (`...` standing
// for any text, line breaks as spaces) and exit with the row's code. A row this
// test has no recipe for fails, so a new row comes with its recipe. For exit 2,
// "nothing is written" is checked too: the folder holds the same files after.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FASHION_MNIST_DIR, FASHION_MNIST_FILES } from "../src/tasks/fashion-mnist.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/main.js");
const scratch = mkdtempSync(join(tmpdir(), "neurocompare-troubleshooting-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Row {
  line: number;
  /** The code spans of the "what you see" column. */
  messages: string[];
  exit: number;
}

function tableRows(): Row[] {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
  const start = lines.indexOf("## Troubleshooting");
  const rows: Row[] = [];
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith("## "); i++) {
    const cells = lines[i]!.split(" | ");
    if (!lines[i]!.startsWith("| `") || cells.length < 3) continue;
    const messages = [...cells[0]!.slice(2).matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    rows.push({ line: i + 1, messages, exit: Number(cells[1]) });
  }
  return rows;
}

/** A message of the table as a pattern: `...` is any text, any run of spaces any whitespace. */
function pattern(message: string): RegExp {
  const parts = message.split("...").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+"));
  return new RegExp(parts.join("[\\s\\S]*?"));
}

interface Outcome {
  status: number | null;
  output: string;
}

function neurocompare(cwd: string, args: string[]): Outcome {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const xor = (name: string, seeds: number[], learner: object = { type: "mlp", hidden: [4], batchSize: 16 }) =>
  `${JSON.stringify({ name, description: "troubleshooting", task: { type: "xor", trainSize: 64, testSize: 32 }, learners: [learner], epochs: 1, seeds })}\n`;

/**
 * Each recipe prepares `dir` (a fresh folder: files, and commands that must succeed), then makes the mistake
 * and returns the outcomes of the commands that should fail, in order.
 */
const recipes: {
  row: RegExp;
  setup?: (dir: string) => void;
  make: (dir: string) => Outcome[];
  skip?: () => string | undefined;
}[] = [
  {
    row: /command not found/,
    // A shell whose PATH holds only the system's folders, as after `npm install` in the clone (no startup
    // files: a user's .bashrc would add its own lines).
    make: (dir) => {
      const r = spawnSync("bash", ["--norc", "--noprofile", "-c", "neurocompare --help"], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin", HOME: dir },
      });
      return [{ status: r.status, output: `${r.stdout}${r.stderr}` }];
    },
  },
  { row: /E_FILE_NOT_FOUND/, make: (dir) => [neurocompare(dir, ["run", "nope.json"])] },
  {
    row: /E_JSON_SYNTAX/,
    setup: (dir) => {
      writeFileSync(join(dir, "bad.json"), '{\n  "name": "x"\n  "epochs": 2 }\n');
    },
    make: (dir) => [neurocompare(dir, ["run", "bad.json"])],
  },
  {
    row: /hiden/,
    setup: (dir) => {
      writeFileSync(
        join(dir, "bad.json"),
        '{ "name": "x", "description": "d", "task": { "type": "xor", "trainSize": 64, "testSize": 32 },\n  "learners": [{ "type": "mlp", "hiden": [8] }], "epochs": 1, "seeds": [0] }\n',
      );
    },
    make: (dir) => [neurocompare(dir, ["run", "bad.json"])],
  },
  {
    row: /unknown option/,
    setup: (dir) => {
      writeFileSync(join(dir, "x.json"), xor("x", [0]));
    },
    make: (dir) => [neurocompare(dir, ["run", "--epochs", "3", "x.json"]), neurocompare(dir, ["runn"])],
  },
  {
    row: /E_OUTPUT_FOREIGN/,
    setup: (dir) => {
      writeFileSync(join(dir, "x.json"), xor("x", [0]));
      writeFileSync(join(dir, "y.json"), xor("y", [1]));
      // A folder holding the user's own notes, and a folder another scenario's run wrote.
      mkdirSync(join(dir, "results", "x"), { recursive: true });
      writeFileSync(join(dir, "results", "x", "notes.txt"), "mine\n");
      const ran = neurocompare(dir, ["run", "x.json", "--out", "results/other"]);
      expect(ran.status, ran.output).toBe(0);
    },
    make: (dir) => [
      neurocompare(dir, ["run", "x.json", "--out", "results/x"]),
      neurocompare(dir, ["run", "y.json", "--out", "results/other"]),
    ],
  },
  {
    row: /pruning\.schedule: needs 20 applications/,
    setup: (dir) => {
      writeFileSync(
        join(dir, "x.json"),
        [
          '{ "name": "x", "description": "d", "epochs": 1, "seeds": [0],',
          '  "task": { "type": "mnist", "trainSize": 200, "testSize": 100 }, "learners": [',
          '{ "type": "stdp", "name": "developmental", "excitatory": 100,',
          '  "pruning": { "criterion": "activity", "scope": "per-neuron", "initialDensity": 0.5,',
          '    "schedule": { "type": "developmental", "every": { "samples": 375 }, "finalDensity": 0.5,',
          '      "peakFactor": 1.5, "growApplications": 8, "pruneApplications": 12,',
          '      "pruneRate": "decreasing-exponential" } } }] }',
          "",
        ].join("\n"),
      );
    },
    make: (dir) => [neurocompare(dir, ["run", "x.json"])],
  },
  {
    row: /Fashion-MNIST not found/,
    skip: () =>
      Object.values(FASHION_MNIST_FILES).every((f) => existsSync(join(FASHION_MNIST_DIR, f)))
        ? `dataset-fashion-mnist is installed in ${FASHION_MNIST_DIR}, so this mistake cannot be made here`
        : undefined,
    setup: (dir) => {
      writeFileSync(
        join(dir, "f.json"),
        '{ "name": "f", "description": "d", "epochs": 1, "seeds": [0], "task": { "type": "fashion-mnist" }, "learners": [{ "type": "mlp" }] }\n',
      );
    },
    make: (dir) => [neurocompare(dir, ["run", "f.json"])],
  },
  {
    row: /Missing 1 unit\(s\)/,
    setup: (dir) => {
      writeFileSync(join(dir, "x.json"), xor("mlp-shards", [1, 2]));
      const shard = neurocompare(dir, ["run", "x.json", "--shard", "1/2", "--out", "results/x"]);
      expect(shard.status, shard.output).toBe(0);
    },
    make: (dir) => [neurocompare(dir, ["merge", "results/x"])],
  },
  {
    row: /diverged at epoch/,
    setup: (dir) => {
      const wild = {
        type: "mlp",
        hidden: [6],
        batchSize: 8,
        optimizer: { type: "sgd", learningRate: 100, momentum: 0.999, weightDecay: 1e6 },
      };
      writeFileSync(join(dir, "z.json"), xor("z", [1], wild));
    },
    make: (dir) => [neurocompare(dir, ["run", "z.json"])],
  },
];

/** Every file under dir with its size and modification time, to show that a refused command wrote nothing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${relative(dir, p)} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

describe("README: troubleshooting, each row as a user meets it", () => {
  const rows = tableRows();
  it("the table has the ten rows the section promises", () => {
    expect(rows).toHaveLength(10);
  });
  for (const row of rows) {
    const recipe = recipes.find((r) => row.messages.some((m) => r.row.test(m)));
    const title = `README.md:${row.line}: ${row.messages[0]!.slice(0, 70)} (exit ${row.exit})`;
    const reason = recipe?.skip?.();
    if (reason !== undefined) {
      it.skip(`${title}: skipped, ${reason}`, () => {});
      continue;
    }
    it(title, () => {
      expect(
        recipe,
        `no recipe in tests/readme-troubleshooting.test.ts matches the row at README.md:${row.line}`,
      ).toBeDefined();
      const dir = mkdtempSync(join(scratch, "row-"));
      recipe!.setup?.(dir);
      const before = snapshot(dir);
      const outcomes = recipe!.make(dir);
      const output = outcomes.map((o) => o.output).join("\n");
      for (const m of row.messages) expect(output, `README.md:${row.line} shows \`${m}\``).toMatch(pattern(m));
      for (const o of outcomes) expect(o.status, o.output).toBe(row.exit);
      if (row.exit === 2) expect(snapshot(dir), "a refused command leaves the folder as it was").toEqual(before);
      expect(output, "no stack trace for a user's mistake").not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    });
  }
});
