// The hostile-input probes: every input that once crashed, hung, filled
// memory, wrote outside its folder or reported a wrong result quietly, run
// through the real CLI (dist/cli/main.js) in a scratch folder, with the exit
// code, the first line of the message, the peak RSS and the CPU time of each.
//
//   npm run build && npm run probes [-- --long] [--only WORD]
//
// Scenario-content probes come from tests/fuzz/corpus.json (the regression
// corpus the test suite checks through validate and the build phase); here
// they go through `run` (or `validate` where the issue names it, or where an
// accepted scenario would run for minutes: --long runs those too). File
// probes (/dev/zero, a FIFO, a gzip bomb, bad IDX files), output-folder
// probes and `report` probes are built here. The message column is the
// first line of stderr that says what is wrong (a "file: N problems" heading
// is skipped for its first problem); stdout's first line when stderr is empty.
//
// Peak RSS (process.resourceUsage().maxRSS) and CPU time (user + system) are
// read in the child by a preloaded exit hook, so they hold under load; the
// wall time beside them does not.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = join(root, "dist", "cli", "main.js");
const args = process.argv.slice(2);
const long = args.includes("--long");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;

const work = mkdtempSync(join(tmpdir(), "nc-probes-"));
const hook = join(work, "stats.mjs");
writeFileSync(
  hook,
  'process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write("\\nPROBE_STATS " + u.maxRSS + " " + (u.userCPUTime + u.systemCPUTime) + "\\n"); });\n',
);
const corpus = JSON.parse(readFileSync(join(root, "tests", "fuzz", "corpus.json"), "utf8"));
const rows = [];

function cliRun(cmdArgs, { cwd = work, timeoutMs = 300_000 } = {}) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--import", hook, cli, ...cmdArgs], {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallS = (Date.now() - t0) / 1000;
  const m = /PROBE_STATS (\d+) (\d+)/.exec(r.stderr ?? "");
  // Paths inside the scratch folder are shown relative to the probe's own folder.
  const short = (t) => t.replaceAll(new RegExp(`${work}/[^/]+/`, "g"), "").replaceAll(`${work}/`, "");
  const stderr = short((r.stderr ?? "").replace(/\n?PROBE_STATS .*\n?/, ""));
  return {
    code: r.error?.code === "ETIMEDOUT" ? `hang (killed at ${timeoutMs / 1000} s)` : (r.status ?? `signal ${r.signal}`),
    message: firstLine(stderr, short(r.stdout ?? "")),
    rssMiB: m ? Number(m[1]) / 1024 : Number.NaN,
    cpuS: m ? Number(m[2]) / 1e6 : Number.NaN,
    wallS,
  };
}

function firstLine(stderr, stdout) {
  const lines = stderr.split("\n").map((l) => l.trim());
  const k = lines.findIndex((l) => l.length > 0);
  if (k < 0) return (stdout.split("\n").find((l) => l.trim().length > 0) ?? "").trim();
  // "file: 3 problems" is a heading: its first problem says what is wrong.
  if (/: \d+ problems?( \(.*\))?$/.test(lines[k]) && lines[k + 1]) return `${lines[k]} / ${lines[k + 1]}`;
  return lines[k];
}

function probe(item, name, fn) {
  if (only !== undefined && !name.toLowerCase().includes(only.toLowerCase())) return;
  process.stderr.write(`probe: ${name}\n`);
  let r;
  try {
    r = fn();
  } catch (e) {
    r = {
      code: "probe failed",
      message: String(e?.message ?? e).split("\n")[0],
      rssMiB: Number.NaN,
      cpuS: 0,
      wallS: 0,
    };
  }
  rows.push({ item, name, ...r });
}

const scratch = (name) => {
  const d = join(work, name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60));
  mkdirSync(d, { recursive: true });
  return d;
};

function scenarioProbe(item, name, corpusName, command = "run") {
  probe(item, name, () => {
    const entry = corpus.find((c) => c.name === corpusName);
    if (entry === undefined) throw new Error(`no corpus entry "${corpusName}"`);
    const d = scratch(name);
    const file = join(d, "scenario.json");
    writeFileSync(file, textOf(entry));
    return command === "run"
      ? cliRun(["run", file, "--out", join(d, "out"), "-q", "--jobs", "1"], { cwd: d })
      : cliRun(["validate", file], { cwd: d });
  });
}

/** A corpus entry's text: large inputs are stored with placeholders (`unit` repeated `times`, `{i}` numbering). */
function textOf(e) {
  let text = e.text ?? JSON.stringify(e.scenario);
  for (const x of e.expand ?? []) {
    const units = Array.from({ length: x.times }, (_, i) => x.unit.replaceAll("{i}", String(i)));
    text = text.replace(x.placeholder, units.join(""));
  }
  return text;
}

function writeScenario(d, s) {
  const file = join(d, "scenario.json");
  writeFileSync(file, JSON.stringify({ format: 2, description: "probe", ...s }, null, 2));
  return file;
}

// IDX (LeCun et al.): magic 0x00 0x00 type ndims, big-endian dimensions, then the data.
function idx(dims, data) {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt8(0x08, 2);
  head.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

function idxScenario(d, train, test = train, extra = {}) {
  for (const [k, [images, labels]] of Object.entries({ train, test })) {
    writeFileSync(join(d, `${k}-images.idx`), images);
    writeFileSync(join(d, `${k}-labels.idx`), labels);
  }
  return writeScenario(d, {
    name: "idx-probe",
    task: {
      type: "idx",
      train: { imagesPath: "train-images.idx", labelsPath: "train-labels.idx" },
      test: { imagesPath: "test-images.idx", labelsPath: "test-labels.idx" },
      ...extra,
    },
    learners: [{ type: "mlp", hidden: [4], batchSize: 4 }],
    epochs: 1,
    seeds: [1],
  });
}

const digits = (n, classes = 10) => {
  const images = idx(
    [n, 2, 2],
    Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256),
  );
  const labels = idx(
    [n],
    Array.from({ length: n }, (_, i) => i % classes),
  );
  return [images, labels];
};

// ---- item 2: divergence ----
probe(2, "MLP SGD lr 100, momentum 0.999, weight decay 1e6", () => {
  const d = scratch("diverge");
  const file = writeScenario(d, {
    name: "diverge",
    task: { type: "xor", trainSize: 64, testSize: 32 },
    learners: [
      { type: "mlp", name: "steady", hidden: [6], batchSize: 8 },
      {
        type: "mlp",
        name: "wild",
        hidden: [6],
        batchSize: 8,
        optimizer: { type: "sgd", learningRate: 100, momentum: 0.999, weightDecay: 1e6 },
      },
    ],
    epochs: 2,
    seeds: [1],
  });
  return cliRun(["run", file, "--out", join(d, "out"), "-q", "--jobs", "1"], { cwd: d });
});
const lifNetwork = (model) => ({
  kind: "network",
  name: "net",
  durationMs: 20,
  dtMs: 0.1,
  seeds: [1],
  groups: [{ name: "G", size: 4, model }],
  currents: [{ group: "G", variable: "v", value: 1 }],
});
probe(2, "network whose equations produce NaN", () => {
  const d = scratch("nan-network");
  const file = writeScenario(d, {
    ...lifNetwork({
      type: "equations",
      equations: "dv/dt = (sqrt(v - 2) - v) / tau : 1",
      threshold: "v > 1",
      reset: "v = 0",
      parameters: { tau: 10 },
    }),
    currents: [],
  });
  return cliRun(["run", file, "--out", join(d, "out"), "-q", "--jobs", "1"], { cwd: d });
});
probe(2, "network with tau 0", () => {
  const d = scratch("tau0-network");
  const file = writeScenario(d, {
    ...lifNetwork({
      type: "equations",
      equations: "dv/dt = (1.5 - v) / tau : 1",
      threshold: "v > 1",
      reset: "v = 0",
      parameters: { tau: 0 },
    }),
    currents: [],
  });
  return cliRun(["run", file, "--out", join(d, "out"), "-q", "--jobs", "1"], { cwd: d });
});

// ---- item 3: resource guards ----
scenarioProbe(3, "hidden [1e9]", "MLP hidden [1e9] on MNIST");
scenarioProbe(3, "hidden [1e7]", "MLP hidden [1e7] on MNIST");
scenarioProbe(3, "network dtMs 1e-7", "network dtMs 1e-7 for a second");
scenarioProbe(3, "LSM dtMs 1e-6", "LSM dtMs 1e-6");
scenarioProbe(
  3,
  `1 neuron, longest duration, state monitor (${long ? "run" : "validate; --long runs it"})`,
  "one neuron for the longest duration with a state monitor",
  long ? "run" : "validate",
);
scenarioProbe(
  3,
  "100,000 copies of a variable in a state monitor",
  "100,000 copies of one variable in a state monitor",
);
scenarioProbe(3, "state monitor past the file limit", "state monitor past the file limit");

// ---- item 4: unbounded reads ----
probe(4, "/dev/zero as the scenario file", () => cliRun(["run", "/dev/zero", "--out", join(work, "zero-out"), "-q"]));
probe(4, "FIFO as the scenario file", () => {
  const d = scratch("fifo");
  const fifo = join(d, "scenario.json");
  const r = spawnSync("mkfifo", [fifo]);
  if (r.status !== 0) throw new Error("mkfifo failed");
  return cliRun(["run", fifo, "--out", join(d, "out"), "-q"], { cwd: d, timeoutMs: 30_000 });
});
probe(4, "/dev/zero as an IDX file", () => {
  const d = scratch("idx-zero");
  const file = idxScenario(d, digits(20));
  const s = JSON.parse(readFileSync(file, "utf8"));
  s.task.train.imagesPath = "/dev/zero";
  writeFileSync(file, JSON.stringify(s));
  return cliRun(["run", file, "--out", join(d, "out"), "-q"], { cwd: d });
});
probe(4, "gzip bomb IDX (1 MB inflating to 1 GiB)", () => {
  const d = scratch("idx-bomb");
  const file = idxScenario(d, digits(20));
  // The header promises 20 images of 2×2; the stream goes on with a GiB of zeros (gzip -9: about 1 MB).
  writeFileSync(join(d, "header.idx"), idx([20, 2, 2], new Uint8Array(80)));
  const gz = spawnSync("sh", ["-c", "(cat header.idx; head -c 1073741824 /dev/zero) | gzip -9 > train-images.idx.gz"], {
    cwd: d,
  });
  if (gz.status !== 0) throw new Error("gzip failed");
  const bomb = readFileSync(join(d, "train-images.idx.gz"));
  const s = JSON.parse(readFileSync(file, "utf8"));
  s.task.train.imagesPath = "train-images.idx.gz";
  writeFileSync(file, JSON.stringify(s));
  const r = cliRun(["run", file, "--out", join(d, "out"), "-q"], { cwd: d });
  return { ...r, message: `${r.message} [bomb ${(bomb.length / 1e6).toFixed(1)} MB]` };
});
probe(4, "IDX with 0 images", () => {
  const d = scratch("idx-0-images");
  return cliRun(
    ["run", idxScenario(d, [idx([0, 2, 2], []), idx([0], [])], digits(10)), "--out", join(d, "out"), "-q"],
    {
      cwd: d,
    },
  );
});
probe(4, "IDX with 0×0 images", () => {
  const d = scratch("idx-0x0");
  return cliRun(
    ["run", idxScenario(d, [idx([10, 0, 0], []), digits(10)[1]], digits(10)), "--out", join(d, "out"), "-q"],
    { cwd: d },
  );
});
probe(4, "IDX with a label of 255 among digits", () => {
  const d = scratch("idx-255");
  const [images, labels] = digits(20);
  labels[labels.length - 1] = 255;
  return cliRun(["run", idxScenario(d, [images, labels], digits(10)), "--out", join(d, "out"), "-q"], { cwd: d });
});

// ---- item 5: recursion, prototype names, output paths ----
scenarioProbe(5, "JSON nested 20,000 deep", "JSON nested 20,000 deep");
scenarioProbe(5, "equation with 10,000 terms", "equation with 10,000 terms");
scenarioProbe(5, "5,000 subexpressions", "equations over 64 KiB (a 5,000-long subexpression chain is 93 KB)");
scenarioProbe(5, "2,000-deep ?: chain", "2,000-deep ?: chain");
for (const n of ["toString", "constructor", "valueOf", "__proto__"])
  scenarioProbe(5, `"${n}" in an equation`, `equation name ${n}`);
scenarioProbe(5, "constructor() called in an equation", "equation function constructor()");
scenarioProbe(5, '"__proto__" as a parameter key', "__proto__ parameter key");

// A small finished run: the base of the output-folder and report probes.
const base = join(work, "base");
mkdirSync(base);
const baseScenario = writeScenario(base, {
  name: "probe-base",
  task: { type: "xor", trainSize: 64, testSize: 32, noise: 0.1 },
  learners: [
    { type: "mlp", name: "a", hidden: [4], optimizer: { type: "sgd", learningRate: 0.2 }, batchSize: 8 },
    { type: "mlp", name: "b", hidden: [8], optimizer: { type: "sgd", learningRate: 0.2 }, batchSize: 8 },
  ],
  epochs: 2,
  seeds: [1],
});
const baseRun = cliRun(["run", baseScenario, "--out", join(base, "out"), "-q", "--jobs", "1"], { cwd: base });
if (baseRun.code !== 0) throw new Error(`the base run failed: ${baseRun.message}`);

probe(5, "--out naming an existing file", () => {
  const d = scratch("out-file");
  writeFileSync(join(d, "taken"), "mine\n");
  const r = cliRun(["run", baseScenario, "--out", join(d, "taken"), "-q"], { cwd: d });
  const kept = readFileSync(join(d, "taken"), "utf8") === "mine\n";
  return { ...r, message: `${r.message}${kept ? "" : " [THE FILE WAS CHANGED]"}` };
});
function reportProbe(item, name, edit) {
  probe(item, name, () => {
    const d = scratch(name);
    const out = join(d, "out");
    cpSync(join(base, "out"), out, { recursive: true });
    edit(out);
    return cliRun(["report", out], { cwd: d });
  });
}
reportProbe(5, "a charts entry that is a file", (out) => {
  rmSync(join(out, "charts"), { recursive: true, force: true });
  writeFileSync(join(out, "charts"), "not a folder\n");
});

// ---- item 6: report checks what it reads ----
const metrics = readFileSync(join(base, "out", "metrics.csv"), "utf8");
const lines = metrics.trimEnd().split("\n");
const firstB = lines.findIndex((l) => l.startsWith("b,"));
reportProbe(6, "metrics.csv cut at a line boundary (learner b lost)", (out) =>
  writeFileSync(join(out, "metrics.csv"), `${lines.slice(0, firstB).join("\n")}\n`),
);
reportProbe(6, "metrics.csv cut inside a unit", (out) =>
  writeFileSync(join(out, "metrics.csv"), `${lines.slice(0, firstB + 10).join("\n")}\n`),
);
reportProbe(6, "header-only metrics.csv", (out) => writeFileSync(join(out, "metrics.csv"), `${lines[0]}\n`));
const editRow = (fn) => (out) => {
  const copy = [...lines];
  copy[3] = fn(copy[3].split(",")).join(",");
  writeFileSync(join(out, "metrics.csv"), `${copy.join("\n")}\n`);
};
reportProbe(
  6,
  "a NaN value in metrics.csv",
  editRow((c) => [...c.slice(0, 4), "NaN"]),
);
reportProbe(
  6,
  "a 1e400 value in metrics.csv",
  editRow((c) => [...c.slice(0, 4), "1e400"]),
);
reportProbe(
  6,
  "seed -5 in metrics.csv",
  editRow((c) => [c[0], "-5", ...c.slice(2)]),
);
reportProbe(
  6,
  "epoch 1e20 in metrics.csv",
  editRow((c) => [c[0], c[1], "1e20", ...c.slice(3)]),
);
reportProbe(6, "random bytes in weights.csv", (out) => {
  const bytes = Buffer.alloc(4096);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  writeFileSync(join(out, "weights.csv"), bytes);
});

// ---- item 7: validate is linear ----
scenarioProbe(7, "16,000 duplicate learners (validate)", "16,000 duplicate learners", "validate");

// ---- the table ----
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const table = [
  "| item | probe | exit | peak RSS MiB | CPU s | wall s | message (first line) |",
  "|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.item} | ${r.name} | ${r.code} | ${fmt(r.rssMiB, 0)} | ${fmt(r.cpuS, 2)} | ${fmt(r.wallS, 1)} | ${r.message.replaceAll("|", "\\|").slice(0, 400)} |`,
  ),
];
process.stdout.write(`${table.join("\n")}\n`);
process.stdout.write(
  `\n${rows.length} probes, node ${process.version}; CPU time and peak RSS measured in each child; wall time is disturbed by load.\n`,
);
rmSync(work, { recursive: true, force: true });
