// README.md as a doc test (as rustdoc and Python's doctest treat documentation): every fenced code block and
// every command line of an indented block is executed here, or checked by `--help` or a dry run from the
// explicit list LONG below, or handed to the named test that already runs it; a block no handler claims
// fails, naming its README line, so a new block cannot go unchecked. Reference: the README itself. A block
// that no longer matches the program fails with the README line of the block or of the command.
//
// - Shell lines (```sh, ```bash, ```text with `$ ` prompts, indented blocks) run in a temporary folder laid
//   out like the clone: `scenarios/` copied there with the small settings of SMALL applied (stated below),
//   the README's example files from tests/fixtures/readme/. `neurocompare ...`, `npx neurocompare ...` and
//   npm scripts that run `node dist/cli/main.js` run in this process through `main()` (src/cli/program.ts);
//   other npm scripts run as `node <script>` in the repository. Output shown under a `$ ` line is compared
//   line for line, `...` standing for any text (doctest's ELLIPSIS); where a figure depends on the settings
//   or the machine the block's handler says so and any number stands for any number. A `$ ` line with no
//   output shown is checked for exit status 0 only.
// - JSON blocks: a bundled scenario is shown as its file's text, byte for byte (the `<!-- include: FILE -->`
//   or `<!-- include: FILE PATH -->` comment above the block names it; NEUROCOMPARE_README_WRITE=1 rewrites
//   those blocks from the files); a fragment is put into a small scenario, validated and run.
// - TypeScript and JavaScript blocks are type-checked together against the package's published types
//   (dist/index.d.ts, as a user's editor sees them), then run (from a module written beside package.json,
//   so `import ... from "neurocompare"` resolves to this package, in the temporary folder as cwd).
// - Inline code that names a command (`neurocompare CMD --option`, `npm run SCRIPT`) must name one that
//   exists, with options its --help lists; after the CLI section states once how the command is reached,
//   the README writes it one way, `neurocompare`.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { UserError } from "../src/core/errors.js";
import { CURRENT_FORMAT, FORMAT_STEPS, type FormatStep, upgradeScenario } from "../src/scenario/format.js";
import {
  andList,
  type Block,
  fencedBlocks,
  indentedLines,
  inlineSpans,
  jsonSpan,
  mismatch,
  plainCommands,
  sessionSteps,
  shellWords,
} from "./helpers/readme-blocks.js";
import { type CliResult, runCli } from "./helpers/cli-capture.js";
import { inCi, PYTHON, type PythonReference, pythonReference, requireReference } from "./helpers/python-reference.js";

const root = join(import.meta.dirname, "..");
const readmePath = join(root, "README.md");
const readme = readFileSync(readmePath, "utf8");
const blocks = fencedBlocks(readme);
const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
const fixtures = join(root, "tests", "fixtures", "readme");

/**
 * The small settings: members merged into the bundled scenarios the README's commands run (an array of
 * objects is merged element by element, anything else replaced). Seeds are kept where the README shows
 * output that counts them (quickstart's 6 units, xor's "over 3 seeds").
 */
const SMALL: Record<string, unknown> = {
  "quickstart.json": {
    epochs: 1,
    task: { trainSize: 60, testSize: 30 },
    learners: [{}, { hidden: 30, durationMs: 30 }],
    evaluation: { costSamples: 10, robustness: { samples: 30, repeats: 1 } },
  },
  "xor.json": { epochs: 2, task: { trainSize: 60, testSize: 30 }, learners: [{}, { hidden: 30, durationMs: 30 }] },
  // "reset": "zero", as the README's comment on the command says (reset by subtraction does not export).
  "mnist-surrogate.json": {
    epochs: 1,
    task: { trainSize: 64, testSize: 32 },
    learners: [{ hidden: [32], steps: 10, reset: "zero" }],
  },
  "cuba.json": { durationMs: 100, seeds: [1] },
};

/**
 * Commands too long or recursive to run here, each checked another way: `help` runs it with `--help`
 * appended (its options are parsed, so an option the program does not know fails), `dry-run` with
 * `--dry-run` (it lists what it would run), `skip` only records the reason.
 */
const LONG: { prefix: string[]; how: "help" | "dry-run" | "skip" | "packages"; reason: string }[] = [
  { prefix: ["git", "clone"], how: "skip", reason: "fetches the repository; this suite runs inside the clone" },
  { prefix: ["cd"], how: "skip", reason: "the commands run in a temporary folder laid out like the clone" },
  {
    prefix: ["npm", "install"],
    how: "skip",
    reason: "installs the dependencies from the registry; package.json's prepare script builds dist/ (checked)",
  },
  { prefix: ["npm", "test"], how: "skip", reason: "recursive: this test is part of npm test" },
  {
    prefix: ["sudo", "apt-get", "install"],
    how: "packages",
    reason: "installs system packages as root; the list must be the one CI installs (.ci/run)",
  },
  {
    prefix: ["npm", "run", "test:mutation"],
    how: "dry-run",
    reason: "StrykerJS over whole folders: hours on two cores",
  },
  { prefix: ["npm", "run", "parity:diehl-cook"], how: "help", reason: "Brian2's side takes about 15 minutes a seed" },
  { prefix: ["npm", "run", "parity"], how: "help", reason: "trains six learners on both sides: tens of minutes" },
  {
    prefix: ["npm", "run", "bench:all"],
    how: "dry-run",
    reason: "every benchmark with every peer: many minutes, and its figures need a quiet machine",
  },
  {
    prefix: ["npm", "run", "library:table"],
    how: "dry-run",
    reason: "runs every bundled scenario in full, one at a time: over an hour on two cores",
  },
];

const tally = { executed: 0, byHelpOrDryRun: 0, skipped: [] as string[] };

let work = "";
let cwd0 = "";
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "neurocompare-doctest-"));
  cpSync(join(root, "scenarios"), join(work, "scenarios"), { recursive: true });
  for (const [file, small] of Object.entries(SMALL)) {
    const p = join(work, "scenarios", file);
    writeFileSync(p, JSON.stringify(merge(JSON.parse(readFileSync(p, "utf8")), small), null, 2));
  }
  for (const f of readdirSync(fixtures)) cpSync(join(fixtures, f), join(work, f));
  cpSync(join(root, "tests/fixtures/nir/braille_noDelay_bias_zero.nir"), join(work, "braille_noDelay_bias_zero.nir"));
  cwd0 = process.cwd();
  process.chdir(work);
});
afterAll(() => {
  process.chdir(cwd0);
  rmSync(work, { recursive: true, force: true });
});

function merge(base: unknown, over: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(over) && over.every((o) => typeof o === "object" && o !== null))
    return base.map((b, i) => (i < over.length ? merge(b, over[i]) : b));
  if (typeof base === "object" && base !== null && typeof over === "object" && over !== null && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return over;
}

type Result = CliResult;
/** One CLI command line in this process: status, and stdout and stderr as the terminal would interleave them. */
const cli = runCli;

/** Paths the README shows on another machine, and where they live in the temporary folder. */
const elsewhere = (s: string) => s.replaceAll("/scratch/", `${work}/scratch/`);
const back = (s: string, clone = "") => s.replaceAll(`${work}/scratch/`, "/scratch/").replaceAll(`${work}/`, clone);
/** Where the README's sessions that print absolute paths show the clone. */
const CLONE = "/home/alice/neurocompare/";

/** Runs one README command line (`&&` lists included); `where` names its README line in failures. */
async function exec(command: string, where: string): Promise<Result> {
  let last: Result = { code: 0, output: "" };
  // `git clone <URL>` holds a placeholder, not shell: it is only recorded (LONG).
  const split = command.startsWith("git clone ") ? command.split(/\s+/) : shellWords(command);
  for (const words of andList(split)) {
    last = await run(words, where);
    if (last.code !== 0) return last;
  }
  return last;
}

type Long = (typeof LONG)[number];

/** Runs one command; `outer` is the LONG entry of the npm script being expanded, if any. */
async function run(words: string[], where: string, outer?: Long): Promise<Result> {
  const found = outer === undefined ? LONG.find((l) => l.prefix.every((p, i) => words[i] === p)) : undefined;
  const long = outer ?? found;
  if (long?.how === "skip") {
    if (long.prefix[1] === "install") expect(scripts["prepare"], `${where}: npm install builds dist/`).toMatch(/build/);
    tally.skipped.push(`${words.join(" ")}: ${long.reason}`);
    return { code: 0, output: "" };
  }
  if (long?.how === "packages") {
    const ci = /^packages=\(([^)]*)\)/m.exec(readFileSync(join(root, ".ci/run"), "utf8"))?.[1]?.split(/\s+/) ?? [];
    expect(new Set(words.slice(3)), `${where}: the packages CI installs (.ci/run)`).toEqual(new Set(ci));
    tally.byHelpOrDryRun++;
    return { code: 0, output: "" };
  }
  if (found !== undefined && !(words[0] === "npm" && words[1] === "run"))
    words = [...words, found.how === "help" ? "--help" : "--dry-run"];
  if (words[0] === "npx" && words[1] === "neurocompare") return counted(await cli(words.slice(2)), long);
  if (words[0] === "neurocompare") return counted(await cli(words.slice(1)), long);
  if (words[0] === "node" && words[1] === "dist/cli/main.js") return counted(await cli(words.slice(2)), long);
  if (words[0] === "npm" && (words[1] === "start" || words[1] === "run")) {
    const name = words[1] === "start" ? "start" : words[2]!;
    const script = scripts[name];
    expect(script, `${where}: npm run ${name}: package.json has no such script`).toBeDefined();
    const rest = words.slice(words[1] === "start" ? 2 : 3).filter((w, i) => !(i === 0 && w === "--"));
    if (found !== undefined) rest.push(found.how === "help" ? "--help" : "--dry-run");
    // The build step scripts start with is the suite's own pretest; the rest runs as written.
    const parts = andList(shellWords(script!)).filter((p) => !(p[0] === "npm" && p.includes("build")));
    let r: Result = { code: 0, output: "" };
    for (const [k, p] of parts.entries()) {
      r = await run(k === parts.length - 1 ? [...p, ...rest] : p, where, long);
      if (r.code !== 0) return r;
    }
    return r;
  }
  if (words[0] === "node" && words[1] !== undefined && existsSync(join(root, words[1]))) {
    const r = spawnSync(process.execPath, [join(root, words[1]), ...words.slice(2)], { cwd: root, encoding: "utf8" });
    return counted({ code: r.status ?? 1, output: r.stdout + r.stderr }, long);
  }
  throw new Error(`${where}: a command the doc test cannot run: ${words.join(" ")}`);
}

function counted(r: Result, long: Long | undefined): Result {
  if (long === undefined) tally.executed++;
  else tally.byHelpOrDryRun++;
  return r;
}

/**
 * Runs a block's `$ ` session and compares each command's output with the lines shown under it; with `clone`,
 * the temporary folder's absolute paths in the output read as the README's clone folder (CLONE).
 */
async function session(block: Block, anyNumbers = false, clone = ""): Promise<void> {
  const steps = sessionSteps(block);
  expect(steps.length, `README.md:${block.line}: a session block with no $ line`).toBeGreaterThan(0);
  for (const s of steps) {
    const r = await exec(elsewhere(s.command), `README.md:${s.line}`);
    const actual = back(r.output, clone).replace(/\n$/, "").split("\n");
    if (s.expected.length === 0) {
      expect(r.code, `README.md:${s.line}: \`${s.command}\` exited ${r.code}:\n${r.output}`).toBe(0);
      continue;
    }
    const bad = mismatch(s.expected, actual, anyNumbers);
    expect(
      bad,
      `README.md:${s.line}: \`${s.command}\` printed\n${actual.join("\n")}\nwhere the README shows\n${s.expected.join("\n")}\n(first line that differs: ${bad})`,
    ).toBeNull();
  }
}

/** Runs each command line of a shell block without prompts; each must exit 0. */
async function commands(lines: { line: number; command: string }[]): Promise<void> {
  for (const c of lines) {
    const r = await exec(c.command, `README.md:${c.line}`);
    expect(r.code, `README.md:${c.line}: \`${c.command}\` exited ${r.code}:\n${r.output.slice(-3000)}`).toBe(0);
  }
}

/** Writes a scenario into the temporary folder, validates and runs it small; returns the results folder. */
async function validateAndRun(block: Block, scenario: object, name: string): Promise<string> {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario, null, 2));
  const v = await cli(["validate", file]);
  expect(v.code, `README.md:${block.line}: the block in a scenario (${file}) does not validate:\n${v.output}`).toBe(0);
  const out = join(work, "results", name);
  const r = await cli(["run", file, "--out", out, "--jobs", "1", "--quiet"]);
  expect(r.code, `README.md:${block.line}: the block in a scenario does not run:\n${r.output}`).toBe(0);
  tally.executed += 2;
  return out;
}

/** A bundled scenario shown in the README must be its file's text (or the text of one member of it). */
function included(block: Block): void {
  const m = /^include: (\S+)(?: (\S+))?$/.exec(block.marker ?? "");
  expect(m, `README.md:${block.line}: a bundled scenario needs <!-- include: FILE [PATH] --> above it`).not.toBeNull();
  const fileText = readFileSync(join(root, m![1]!), "utf8");
  const path = (m![2] ?? "").split(".").filter((p) => p !== "");
  const want =
    path.length === 0
      ? fileText
      : `${jsonSpan(
          fileText,
          path.map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
        )}\n`;
  if (block.text !== want && process.env["NEUROCOMPARE_README_WRITE"] === "1") {
    const now = readFileSync(readmePath, "utf8");
    writeFileSync(readmePath, now.replace(`\`\`\`json\n${block.text}\`\`\``, `\`\`\`json\n${want}\`\`\``));
    return;
  }
  expect(
    block.text,
    `README.md:${block.line}: the block is not ${m![1]}${m![2] ? ` ${m![2]}` : ""} as the file has it (rerun with NEUROCOMPARE_README_WRITE=1 to copy it in)`,
  ).toBe(want);
}

const mnistTask = { type: "mnist", trainSize: 100, testSize: 50 };

/** What each block is and how it is checked; every block must match exactly one. */
interface Handler {
  what: string;
  match: (b: Block) => boolean;
  run?: (b: Block) => Promise<void> | void;
  /** Run by another test file (named), which this one does not repeat. */
  covered?: string;
  /** Not executable, with the reason. */
  listed?: string;
}

const has = (lang: string, needle: string) => (b: Block) => b.lang === lang && b.text.includes(needle);
const codeBlocks = blocks.filter((b) => b.lang === "ts" || b.lang === "js");

// pandas (python3-pandas) and R (r-base-core) run the README's data-frame examples; outside CI a missing one
// skips its block with the reason, in CI it fails (tests/helpers/python-reference.ts).
const pandas = pythonReference("pandas", "python3-pandas");
const rscriptProbe = spawnSync("Rscript", ["--version"], { encoding: "utf8" });
const rscript: PythonReference = (() => {
  const missing =
    rscriptProbe.error === undefined && rscriptProbe.status === 0
      ? undefined
      : "Rscript is not installed (apt-get install -y r-base-core)";
  const skip = missing !== undefined && !inCi();
  return { missing, skip, why: skip ? ` (skipped: ${missing})` : "" };
})();

/**
 * Runs a data-frame block (pandas or R) on the xor results the Python block's handler wrote, and compares
 * what it printed with the text block after it: columns aligned by width move with the figures, so
 * whitespace runs count as one space, and any number stands for any number (the small settings).
 */
async function dataFrameBlock(b: Block, file: string, command: string[], ref: PythonReference, name: string) {
  if (ref.skip) {
    tally.skipped.push(`README.md:${b.line}: ${ref.missing}`);
    return;
  }
  requireReference(ref);
  if (!existsSync(join(work, "results/xor/metrics.csv")))
    expect((await cli(["run", "scenarios/xor.json", "--jobs", "1", "--quiet"])).code).toBe(0);
  writeFileSync(join(work, file), b.text);
  const r = spawnSync(command[0]!, [...command.slice(1), file], { cwd: work, encoding: "utf8" });
  expect(r.status, `README.md:${b.line}: the ${name} block failed:\n${r.stderr}`).toBe(0);
  tally.executed++;
  const shown = blocks[blocks.indexOf(b) + 1]!;
  const squeeze = (t: string) =>
    t
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => l.trim().replace(/\s+/g, " "));
  expect(
    mismatch(squeeze(shown.text), squeeze(r.stdout), true),
    `README.md:${shown.line}: the ${name} block printed\n${r.stdout}where the README shows\n${shown.text}`,
  ).toBeNull();
}

const handlers: Handler[] = [
  { what: "the optional Debian packages", match: has("sh", "apt-get install"), run: (b) => commands(plainCommands(b)) },
  { what: "installation", match: has("sh", "git clone"), run: (b) => commands(plainCommands(b)) },
  { what: "the two commands", match: has("sh", "npm start"), run: (b) => commands(plainCommands(b)) },
  { what: "a scenario with three mistakes", match: has("text", "$ neurocompare run bad.json"), run: (b) => session(b) },
  {
    what: "the quickstart scenario",
    match: has("json", '"name": "quickstart"'),
    run: async (b) => {
      included(b);
      expect((await cli(["validate", "scenarios/quickstart.json"])).code).toBe(0);
      tally.executed++;
    },
  },
  {
    what: "a message of a future format change",
    match: has("text", "E_SCENARIO_FORMAT"),
    run: (b) => {
      // No format after the current one exists yet: the message comes from a made-up next step that needs
      // the file rewritten (as tests/scenario-format.test.ts makes one), applied to a file of the current format.
      const next: FormatStep = {
        from: CURRENT_FORMAT,
        change: "a made-up change",
        edits: () => [{ op: "remove", path: ["description"] }],
        automatic: false,
      };
      let message = "";
      try {
        upgradeScenario({ format: CURRENT_FORMAT, name: "old" }, "old.json", [...FORMAT_STEPS, next]);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        message = `error [${e.code}]: ${e.message}`;
      }
      const shown = b.text.replace(/\n$/, "").split("\n");
      expect(mismatch(shown, [message]), `README.md:${b.line + 1}: the program says\n${message}`).toBeNull();
      tally.executed++;
    },
  },
  {
    what: "evaluation, continual and sweep keys",
    match: has("json", '"continual"'),
    run: async (b) => {
      const fragment = JSON.parse(b.text);
      fragment.evaluation.robustness.samples = 50; // small settings: the 50 test samples
      await validateAndRun(
        b,
        {
          name: "readme-evaluation",
          task: mnistTask,
          learners: [{ type: "mlp", hidden: [16] }],
          epochs: 1,
          ...fragment,
        },
        "readme-evaluation",
      );
    },
  },
  {
    what: "a developmental pruning schedule",
    match: has("json", '"type": "stdp", "name": "developmental"'),
    covered: "tests/readme-examples.test.ts (validates where it fits, refused as run refuses where it does not)",
  },
  {
    what: "the routing scenario",
    match: has("json", '"kind": "routing"'),
    run: async (b) => {
      const s = JSON.parse(b.text);
      // Small settings: 60 nodes, 240 edges, 3 intervals of 40 pairs, 40 test pairs, 2 damage trials, 2 seeds.
      Object.assign(s.task, { nodes: 60 });
      Object.assign(s.network, { edgeBudget: 240 });
      Object.assign(s.training, { intervals: 3, pairsPerInterval: 40 });
      Object.assign(s.evaluation, { testPairs: 40, damageTrials: 2 });
      s.seeds = [1, 2];
      await validateAndRun(b, s, "readme-routing");
    },
  },
  {
    what: "the CUBA network scenario",
    match: has("json", '"name": "cuba"'),
    run: async (b) => {
      included(b);
      expect((await cli(["validate", "scenarios/cuba.json"])).code).toBe(0);
      tally.executed++;
    },
  },
  {
    what: "a neuron model as equations",
    match: has("json", '"name": "adaptive"'),
    run: async (b) => {
      await validateAndRun(
        b,
        { kind: "network", name: "readme-adaptive", durationMs: 50, groups: [JSON.parse(b.text)] },
        "readme-adaptive",
      );
    },
  },
  {
    what: "the network learner of custom-neuron",
    match: has("json", '"name": "adex-triplet"'),
    run: async (b) => {
      included(b);
      const learner = JSON.parse(b.text);
      // Small settings: 20 neurons, 100 ms presentations, 10 training and 10 test digits.
      learner.groups[0].size = 20;
      learner.presentation.presentationMs = 100;
      learner.batchSize = 10;
      await validateAndRun(
        b,
        {
          name: "readme-network-learner",
          task: { type: "mnist", trainSize: 10, testSize: 10 },
          learners: [learner],
          epochs: 1,
        },
        "readme-network-learner",
      );
    },
  },
  {
    what: "neurocompare slurm",
    match: has("text", "$ neurocompare slurm"),
    run: (b) => session(b),
  },
  {
    what: "the generated job array",
    match: (b) => b.lang === "bash" && b.marker === "generated-sbatch",
    covered: "tests/shards.test.ts (the script slurm writes for the session above, compared with this block)",
  },
  {
    what: "the library example",
    match: has("ts", "createLearner, createTask, Rng, run"),
    covered: "tests/readme-library.test.ts (runs it with node and checks what it prints; it is type-checked here)",
  },
  {
    what: "Brian2's COBA neurons",
    match: has("json", '"C_m": "198*pF"'),
    run: async (b) => {
      await validateAndRun(
        b,
        { kind: "network", name: "readme-coba", durationMs: 20, groups: [JSON.parse(b.text)] },
        "readme-coba",
      );
    },
  },
  { what: "exporting a trained learner from code", match: has("ts", "exportNir"), run: (b) => runCode(b) },
  {
    what: "the surrogate learner edited for export",
    match: has("json", '"reset": "zero"'),
    run: (b) => {
      // The bundled learner with one member added, which the doc test's copy of the scenario also gets (SMALL).
      const bundled = JSON.parse(readFileSync(join(root, "scenarios/mnist-surrogate.json"), "utf8")).learners[0];
      expect(JSON.parse(b.text), `README.md:${b.line}: the bundled surrogate learner plus "reset": "zero"`).toEqual({
        ...bundled,
        reset: "zero",
      });
      tally.executed++;
    },
  },
  // export and import print the absolute paths of the files they wrote and read.
  { what: "neurocompare export", match: has("text", "$ neurocompare export"), run: (b) => session(b, false, CLONE) },
  { what: "neurocompare import", match: has("text", "$ neurocompare import"), run: (b) => session(b, false, CLONE) },
  {
    what: "a NIR file as a learner",
    match: has("json", '"type": "nir"'),
    run: async (b) => {
      // After the export session above, which wrote mnist-snn.nir into the temporary folder.
      await validateAndRun(
        b,
        {
          name: "readme-nir",
          task: { type: "mnist", trainSize: 20, testSize: 20 },
          learners: [JSON.parse(b.text)],
          epochs: 1,
        },
        "readme-nir",
      );
    },
  },
  // The estimate's figures depend on this machine's memory: any number stands for any number.
  { what: "a run too large for the machine", match: has("text", "E_RESOURCE_LIMIT"), run: (b) => session(b, true) },
  { what: "a network that diverges", match: has("text", "E_NETWORK_DIVERGED"), run: (b) => session(b) },
  {
    what: "an internal error",
    match: has("text", "internal error, a bug"),
    listed:
      "illustrative: an internal error is a bug, which no input provokes; tests/crash-report.test.ts checks this message on an injected fault",
  },
  { what: "a report from code", match: has("ts", 'run("scenarios/cuba.json"'), run: (b) => runCode(b) },
  {
    what: "reading metrics.csv in Python",
    match: has("python", "csv.DictReader"),
    run: async (b) => {
      // The scenario the text before the block runs, at the small settings, then the block and its output.
      expect((await cli(["run", "scenarios/xor.json", "--jobs", "1", "--quiet"])).code).toBe(0);
      writeFileSync(join(work, "tidy.py"), b.text);
      const r = spawnSync("python3", ["tidy.py"], { cwd: work, encoding: "utf8" });
      expect(r.status, `README.md:${b.line}: the Python block failed:\n${r.stderr}`).toBe(0);
      tally.executed += 2;
      const shown = blocks[blocks.indexOf(b) + 1]!;
      const expected = shown.text.replace(/\n$/, "").split("\n");
      const actual = r.stdout.replace(/\n$/, "").split("\n");
      // Accuracies at the small settings differ from the full run's: any number stands for any number.
      expect(
        mismatch(expected, actual, true),
        `README.md:${shown.line}: the Python block printed\n${r.stdout}where the README shows\n${shown.text}`,
      ).toBeNull();
    },
  },
  {
    what: "reading metrics.csv in pandas",
    match: has("python", "import pandas"),
    run: (b) => dataFrameBlock(b, "tidy_pandas.py", [PYTHON], pandas, "pandas"),
  },
  {
    what: "the pandas block's output",
    match: has("text", "mean  std  count"),
    covered: "the pandas block's handler above (its output, compared line for line)",
  },
  {
    what: "reading metrics.csv in R",
    match: has("r", "read.csv"),
    run: (b) => dataFrameBlock(b, "tidy.R", ["Rscript"], rscript, "R"),
  },
  {
    what: "the R block's output",
    match: has("text", "  learner value"),
    covered: "the R block's handler above (its output, compared line for line)",
  },
  {
    what: "the Python block's output",
    match: has("text", "test accuracy 1.000 over 3 seeds"),
    covered: "the Python block's handler above (its output, compared line for line)",
  },
  { what: "the layout", match: (b) => b.lang === "", listed: "a diagram of the data flow, not code" },
  {
    what: "a learner of your own",
    match: has("ts", "class CentroidLearner"),
    covered:
      "tests/example-learner.test.ts (the block is tests/fixtures/example-learner/centroid.ts, which npm test type-checks and that test trains)",
  },
  { what: "mutation testing", match: has("sh", "test:mutation"), run: (b) => commands(plainCommands(b)) },
  { what: "bench:all", match: has("sh", "bench:all"), run: (b) => commands(plainCommands(b)) },
  { what: "library:table", match: has("sh", "library:table"), run: (b) => commands(plainCommands(b)) },
];

/** Type-checks every ts/js block at once against dist/index.d.ts; returns each block's compiled JavaScript. */
let compiled: Map<Block, string> | undefined;
async function compileAll(): Promise<Map<Block, string>> {
  if (compiled) return compiled;
  const ts = (await import("typescript")).default;
  // A ```js block is checked as JavaScript (syntax only, as node reads it), a ```ts block as strict TypeScript.
  const files = codeBlocks.map((b, k) =>
    join(root, `.readme-doctest-${process.pid}-${k}.${b.lang === "ts" ? "mts" : "mjs"}`),
  );
  codeBlocks.forEach((b, k) => writeFileSync(files[k]!, b.text));
  try {
    const options = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowJs: true,
      checkJs: false,
      typeRoots: [join(root, "node_modules", "@types")],
      types: ["node"],
    };
    // The centroid block imports the project's internals by relative path (it is a file of src/learners/):
    // its own test compiles it there; here it is read but not resolved.
    const checked = files.filter((_, k) => !codeBlocks[k]!.text.includes('from "../'));
    const program = ts.createProgram(checked, options);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const k = files.indexOf(d.file?.fileName ?? "");
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const where = k >= 0 ? `README.md:${codeBlocks[k]!.line + 1 + at}` : (d.file?.fileName ?? "");
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(problems, "the README's TypeScript and JavaScript blocks type-check against dist/index.d.ts").toEqual([]);
    compiled = new Map(
      codeBlocks.map((b) => [
        b,
        ts.transpileModule(b.text, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText,
      ]),
    );
    return compiled;
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
}

/** Runs a ts/js block as an ES module beside package.json (so "neurocompare" is this package), cwd the temporary folder. */
async function runCode(b: Block): Promise<void> {
  const js = (await compileAll()).get(b)!;
  const file = join(root, `.readme-doctest-${process.pid}-${b.line}.mjs`);
  writeFileSync(file, js);
  const logs = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(pathToFileURL(file).href);
    tally.executed++;
  } catch (e) {
    throw new Error(`README.md:${b.line}: the block failed when run: ${(e as Error).stack}`);
  } finally {
    logs.mockRestore();
    rmSync(file, { force: true });
  }
}

describe("README.md, block by block", () => {
  for (const b of blocks) {
    const claims = handlers.filter((h) => h.match(b));
    const h = claims[0];
    const title = `README.md:${b.line} (${b.lang || "plain"}): ${h?.what ?? "unclaimed"}`;
    if (claims.length !== 1) {
      it(title, () => {
        expect.fail(
          `README.md:${b.line}: a \`\`\`${b.lang} block claimed by ${claims.length} doc-test handlers (${claims.map((c) => c.what).join(", ")}): each block needs exactly one (tests/readme-doctest.test.ts)`,
        );
      });
    } else if (h!.run) it(title, async () => h!.run!(b));
    else
      it(`${title}: ${h!.covered ? `run by ${h!.covered}` : `not run: ${h!.listed}`}`, () => {
        if (h!.covered) tally.skipped.push(`README.md:${b.line}: run by ${h!.covered}`);
        else tally.skipped.push(`README.md:${b.line}: ${h!.listed}`);
      });
  }

  it("the TypeScript and JavaScript blocks type-check", async () => {
    await compileAll();
  });

  it("the indented command lines (parity) parse: each run with --help", async () => {
    const lines = indentedLines(readme);
    expect(lines.length).toBeGreaterThan(0);
    await commands(lines.filter((l) => !l.text.trim().startsWith("#")).map((l) => ({ line: l.line, command: l.text })));
  });
});

describe("README.md, inline commands", () => {
  const spans = inlineSpans(readme);
  const helpOf = new Map<string, string>();
  async function help(command: string): Promise<string> {
    if (!helpOf.has(command)) helpOf.set(command, (await cli([command, "--help"])).output);
    return helpOf.get(command)!;
  }

  it("every `neurocompare CMD ...` names a command, with options its --help lists", async () => {
    const problems: string[] = [];
    const top = (await cli(["--help"])).output;
    for (const s of spans) {
      const m = /^(?:npx )?neurocompare ([a-z]+)\b(.*)$/.exec(s.text);
      if (m === null) continue;
      if (!new RegExp(`^  ${m[1]}\\b`, "m").test(top)) {
        problems.push(`README.md:${s.line}: \`${s.text}\`: no command ${m[1]}`);
        continue;
      }
      const h = await help(m[1]!);
      for (const o of m[2]!.match(/--[a-z][a-z0-9-]*/g) ?? []) {
        if (!h.includes(o)) problems.push(`README.md:${s.line}: \`${s.text}\`: ${m[1]} has no option ${o}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the CLI table has a row for every command, naming every option its --help lists", async () => {
    const section = readme.slice(readme.indexOf("\n## The CLI\n"), readme.indexOf("\nExit codes:\n"));
    const rows = [...section.matchAll(/^\| `neurocompare ([a-z]+)([^`]*)` \|/gm)].map((m) => ({
      cmd: m[1]!,
      usage: m[2]!,
    }));
    // `bench`'s row points to the Benchmarks section, whose table gives each workload's options.
    const benchmarks = readme.slice(readme.indexOf("\n## Benchmarks\n"), readme.indexOf("**Latest figures.**"));
    const top = (await cli(["--help"])).output;
    const commandList = top.slice(top.indexOf("\nCommands:\n"), top.indexOf("\nStart here:"));
    const commands = [...commandList.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== "help");
    expect(commands.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const c of commands) {
      const row = rows.find((r) => r.cmd === c);
      if (row === undefined) {
        problems.push(`the CLI table has no row for \`neurocompare ${c}\``);
        continue;
      }
      const options = [...(await help(c)).matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]!);
      const documented = c === "bench" ? row.usage + benchmarks : row.usage;
      for (const o of options)
        if (o !== "--help" && !documented.includes(o)) problems.push(`the CLI table's ${c} row does not name ${o}`);
    }
    expect(problems).toEqual([]);
  });

  it("every `npm run SCRIPT` names a script of package.json", () => {
    const problems = spans
      // Script names are lower case; `npm run SCRIPT` is a placeholder.
      .map((s) => ({ s, m: /^npm run ([a-z][\w:-]*)/.exec(s.text) }))
      .filter(({ m }) => m !== null && scripts[m[1]!] === undefined)
      .map(({ s }) => `README.md:${s.line}: \`${s.text}\`: no such script`);
    expect(problems).toEqual([]);
  });

  it("after the CLI section says how to reach the command, the README writes it one way: neurocompare", () => {
    const lines = readme.split("\n");
    const stated = lines.findIndex((l) => l.includes("every `neurocompare` below as `npx neurocompare`"));
    expect(stated, "the CLI section says once how `neurocompare` is reached (npm link, or npx)").toBeGreaterThan(0);
    // Allowed after it: the troubleshooting row for a missing command, and the test of the installed package.
    const problems = lines
      .map((l, k) => ({ l, k }))
      .filter(({ l, k }) => k > stated && l.includes("npx neurocompare") && !/command not found|installed bin/.test(l))
      .map(({ l, k }) => `README.md:${k + 1}: ${l.trim()}`);
    expect(
      problems,
      "write `neurocompare` (the CLI section says to read it as `npx neurocompare` without npm link)",
    ).toEqual([]);
  });
});

afterAll(() => {
  // What the harness did, for the log: how many commands ran, how many were checked by --help or a dry run.
  process.stdout.write(
    `README doc test: ${blocks.length} fenced blocks; ${tally.executed} commands and blocks executed, ${tally.byHelpOrDryRun} checked by --help or a dry run; not run here:\n  ${tally.skipped.join("\n  ")}\n`,
  );
});
