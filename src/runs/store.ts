/**
 * A results folder as the store of one run's units:
 *
 *   manifest.json            which scenario (resolved, and its hash with the seeds and
 *                            package version), which units, and the run id
 *   events.jsonl             the run's log, every line with the run id
 *   files.json               the run id and every file the run wrote outside units/
 *   units/<learner>/<seed>/  lock           while a process runs the unit
 *                            checkpoint.bin after every epoch (the whole unit state; a network
 *                                           unit's every few seconds of simulation)
 *                            result.bin     the unit's rows, histograms, robustness points,
 *                                           receptive fields and firing rates (exact numbers)
 *                            state.bin      the learner's final state (the last checkpoint)
 *                            unit.json      written last: the unit is finished (done or diverged)
 *
 * Every file is written atomically (core/files.ts). Opening a folder decides
 * between a new run, a resume (same scenario hash: finished units are
 * skipped, started ones continue from their checkpoint) and a refusal (exit
 * 2): another scenario's results, files not written by this run, or foreign
 * files; `fresh` then removes only results files (known-files.ts).
 */
import { randomUUID } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { resolve } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { UserError } from "../core/errors.js";
import {
  openStreamFile,
  resumeStreamFile,
  type StreamFile,
  type StreamPosition,
  writeFileAtomic,
} from "../core/files.js";
import { outputPath } from "../core/paths.js";
import { captureState, decodeSnapshot, encodeSnapshot, restoreState } from "../core/snapshot.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import type { RoutingScenario } from "../scenario/routing-schema.js";
import type { Scenario } from "../scenario/schema.js";
import { KNOWN_FILE_KINDS, knownKind } from "./known-files.js";
import type { LearningUnitResult } from "./learning-unit.js";
import { acquireLock, holderAlive, readHolder, releaseLock, type LockHolder } from "./lock.js";
import { scenarioHash, unitLabel, type Unit } from "./plan.js";
import type { MetricRow } from "./results.js";
import type { Recordings, SeedRun } from "./run-network.js";

export const MANIFEST_FORMAT = 1;

export interface Manifest {
  format: number;
  kind: "learning" | "network" | "routing";
  runId: string;
  scenarioHash: string;
  packageVersion: string;
  seeds: number[];
  /** Unit folders (relative, "/"-separated) in plan order, with their labels. */
  units: { path: string; label: string }[];
  scenarioFile: string | null;
  created: string;
  scenario: Scenario | NetworkScenario | RoutingScenario;
}

export interface UnitRecord {
  runId: string;
  label: string;
  status: "done" | "diverged";
  divergedEpoch?: number;
  finished: string;
}

export interface NetworkUnitResult {
  seed: number;
  run: SeedRun;
  recordings: Recordings | null;
}

interface Ledger {
  runId: string;
  /** Paths relative to the folder ("/"-separated); "charts/*" while a report is being written. */
  files: string[];
  /** Entries that were in the folder before this run and are not its own (kept, never touched). */
  foreign: string[];
  /** The units (folders, plan order) the tables hold: the finished ones when they were last assembled. */
  assembled?: string[];
}

export interface OpenOptions {
  dir: string;
  kind: "learning" | "network" | "routing";
  scenario: Scenario | NetworkScenario | RoutingScenario;
  scenarioFile: string | null;
  seeds: readonly number[];
  units: readonly Unit[];
  packageVersion: string;
  /** Remove another run's results files (only those) instead of refusing. */
  fresh: boolean;
}

/** Files a results report writes at the top of the folder (the ledger's provisional list while writing). */
const REPORT_FILES = KNOWN_FILE_KINDS.filter(
  (k) =>
    k.role === "result" &&
    !k.folder &&
    !k.pattern.includes("*") &&
    !["manifest.json", "files.json", "events.jsonl"].includes(k.pattern),
).map((k) => k.pattern);

/** Run-infrastructure entries that are always this run's once its manifest is there. */
const INFRASTRUCTURE = new Set(["manifest.json", "files.json", "events.jsonl", "units"]);

function readJson(path: string): unknown {
  const text = readFileSync(path, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${path}: expected JSON written by \`neurocompare run\`, found text that does not parse`,
    );
  }
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 6).join(", ");
  return names.length > 6 ? `${shown} and ${names.length - 6} more` : shown;
}

/**
 * Unit files are gzip-compressed (level 1): a checkpoint holds a learner's
 * scratch buffers too (a convolution's im2col rows), measured at 16.9 MB raw
 * and 0.37 MB compressed for the MNIST CNN at start, in 19 ms of CPU (about
 * 3 MB once trained, when the buffers hold the last batch).
 */
function pack(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 1 });
}

function unpack(path: string, what: string): Uint8Array {
  try {
    return gunzipSync(readFileSync(path));
  } catch (e) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${path}: expected ${what} written by \`neurocompare run\` (gzip), found a damaged file (${(e as Error).message}); delete it to run that unit again`,
    );
  }
}

export class ResultsStore {
  readonly dir: string;
  readonly manifest: Manifest;
  /** True when the folder already held this scenario's run (units already finished are kept). */
  readonly resumed: boolean;
  private ledger: Ledger;

  private constructor(dir: string, manifest: Manifest, resumed: boolean, ledger: Ledger) {
    this.dir = dir;
    this.manifest = manifest;
    this.resumed = resumed;
    this.ledger = ledger;
  }

  /** A folder's manifest, or null when it has none (an older results folder, or not one). */
  static readManifest(dirArg: string): Manifest | null {
    const path = outputPath(resolve(dirArg), "manifest.json");
    if (!existsSync(path)) return null;
    const m = readJson(path) as Partial<Manifest> | null;
    if (
      typeof m !== "object" ||
      m === null ||
      typeof m.runId !== "string" ||
      typeof m.scenarioHash !== "string" ||
      !Array.isArray(m.units) ||
      !Array.isArray(m.seeds) ||
      (m.kind !== "learning" && m.kind !== "network" && m.kind !== "routing")
    )
      throw new UserError(
        "E_RESULTS_INVALID",
        `${path}: expected a run manifest (runId, scenarioHash, kind, seeds, units), found another JSON value`,
      );
    if (m.format !== MANIFEST_FORMAT)
      throw new UserError(
        "E_RESULTS_INVALID",
        `${path}: expected manifest format ${MANIFEST_FORMAT}, found ${JSON.stringify(m.format)} (written by another version)`,
      );
    return m as Manifest;
  }

  /** Opens a folder for reading (report, merge): its manifest must be there. */
  static openExisting(dirArg: string): ResultsStore | null {
    const dir = resolve(dirArg);
    const manifest = ResultsStore.readManifest(dir);
    if (manifest === null) return null;
    return new ResultsStore(dir, manifest, true, ResultsStore.readLedger(dir, manifest.runId));
  }

  private static readLedger(dir: string, runId: string): Ledger {
    const path = outputPath(dir, "files.json");
    if (!existsSync(path)) return { runId, files: [], foreign: [] };
    const l = readJson(path) as Partial<Ledger> | null;
    if (l?.runId !== runId || !Array.isArray(l.files) || !Array.isArray(l.foreign))
      throw new UserError(
        "E_RESULTS_INVALID",
        `${path}: expected the list of files of run ${runId}, found ${l?.runId === undefined ? "another JSON value" : `run ${l.runId}'s`}`,
      );
    return {
      runId,
      files: l.files.map(String),
      foreign: l.foreign.map(String),
      ...(Array.isArray(l.assembled) ? { assembled: l.assembled.map(String) } : {}),
    };
  }

  /** Opens (or creates) a results folder for a run; see the file comment for what it refuses. */
  static open(o: OpenOptions): ResultsStore {
    const dir = resolve(o.dir);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new UserError("E_OPTION_INVALID", `--out ${dir}: expected a folder, found a file`);
    const hash = scenarioHash(o.scenario, o.seeds, o.packageVersion);
    // A manifest being created by another process starting at the same moment (below) is not another run's file.
    const entries = (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []).filter(
      (e) => !e.name.startsWith("manifest.json.tmp-"),
    );
    const existing = ResultsStore.readManifest(dir);
    const hint = "choose another --out, or give --fresh to remove the results files there (other files are kept)";
    const foreign = entries.filter((e) => knownKind(e.name, e.isDirectory()) === null).map((e) => e.name);
    if (existing !== null && existing.scenarioHash === hash && !o.fresh) {
      const ledger = ResultsStore.readLedger(dir, existing.runId);
      const unknown = foreign.filter((n) => !ledger.foreign.includes(n));
      if (unknown.length > 0)
        throw new UserError(
          "E_OUTPUT_FOREIGN",
          `${dir} holds files that are not results: ${listNames(unknown)}; ${hint}`,
        );
      const store = new ResultsStore(dir, existing, true, ledger);
      const notOurs = store.resultFiles().filter((rel) => !store.isOurs(rel));
      if (notOurs.length > 0)
        throw new UserError(
          "E_OUTPUT_FOREIGN",
          `${dir}: ${listNames(notOurs)} were not written by this run (${existing.runId}); ${hint}`,
        );
      return store;
    }
    const results = entries.filter((e) => knownKind(e.name, e.isDirectory())?.role === "result").map((e) => e.name);
    if (!o.fresh) {
      if (existing !== null) {
        const what =
          existing.packageVersion !== o.packageVersion
            ? `results written by version ${existing.packageVersion} (this is ${o.packageVersion})`
            : `results of ${existing.scenarioHash === hash ? "this" : "a different"} scenario (${existing.scenario.name}, seeds ${existing.seeds.join(", ")})`;
        throw new UserError("E_OUTPUT_FOREIGN", `${dir} holds ${what}; ${hint}`);
      }
      if (results.length > 0 || foreign.length > 0) {
        const parts = [
          ...(results.length > 0
            ? [`results of another run (${listNames(results)}; no manifest of this scenario)`]
            : []),
          ...(foreign.length > 0 ? [`files that are not results (${listNames(foreign)})`] : []),
        ];
        throw new UserError("E_OUTPUT_FOREIGN", `${dir} holds ${parts.join(" and ")}; ${hint}`);
      }
    }
    mkdirSync(dir, { recursive: true });
    for (const name of results) ResultsStore.removeResult(dir, name);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      kind: o.kind,
      runId: randomUUID(),
      scenarioHash: hash,
      packageVersion: o.packageVersion,
      seeds: [...o.seeds],
      units: o.units.map((u) => ({ path: u.path.join("/"), label: unitLabel(u) })),
      scenarioFile: o.scenarioFile,
      created: new Date().toISOString(),
      scenario: o.scenario,
    };
    // Created exclusively (link fails when the name exists): of several processes starting one run in one
    // folder at once (shards), one creates the manifest and the others adopt it.
    const path = outputPath(dir, "manifest.json");
    const tmp = `${path}.tmp-${process.pid}-${manifest.runId}`;
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const winner = ResultsStore.readManifest(dir)!;
      if (winner.scenarioHash !== hash)
        throw new UserError(
          "E_OUTPUT_FOREIGN",
          `${dir}: another run of a different scenario started there at the same time; ${hint}`,
        );
      return new ResultsStore(dir, winner, true, ResultsStore.readLedger(dir, winner.runId));
    } finally {
      unlinkSync(tmp);
    }
    const store = new ResultsStore(dir, manifest, false, { runId: manifest.runId, files: [], foreign });
    store.writeLedger();
    return store;
  }

  /** Removes one results entry (a known result kind) named directly inside the folder. */
  private static removeResult(dir: string, name: string): void {
    const path = outputPath(dir, name);
    if (name === "charts") {
      // Only what a report writes there; anything else in charts/ stays.
      for (const f of readdirSync(path)) if (/\.(svg|png|vl\.json)$/.test(f)) unlinkSync(outputPath(path, f));
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      return;
    }
    rmSync(path, { recursive: true, force: true });
  }

  /** The results files at the top and in charts/ (relative paths), excluding the run's infrastructure. */
  private resultFiles(): string[] {
    const out: string[] = [];
    for (const e of readdirSync(this.dir, { withFileTypes: true })) {
      const kind = knownKind(e.name, e.isDirectory());
      if (kind?.role !== "result" || INFRASTRUCTURE.has(e.name) || kind.pattern.includes("*")) continue;
      if (e.isDirectory()) for (const f of readdirSync(outputPath(this.dir, e.name))) out.push(`${e.name}/${f}`);
      else out.push(e.name);
    }
    return out;
  }

  private isOurs(rel: string): boolean {
    return this.ledger.files.includes(rel) || (rel.startsWith("charts/") && this.ledger.files.includes("charts/*"));
  }

  private writeLedger(): void {
    writeFileAtomic(outputPath(this.dir, "files.json"), `${JSON.stringify(this.ledger, null, 2)}\n`);
  }

  get runId(): string {
    return this.manifest.runId;
  }

  /** The units the tables were last assembled from (unit folders), or null when they never were. */
  assembledUnits(): string[] | null {
    return this.ledger.assembled ?? null;
  }

  /** Records which units the tables about to be written hold (saved with the ledger at `endReport`). */
  setAssembled(units: readonly Unit[]): void {
    this.ledger.assembled = units.map((u) => u.path.join("/"));
  }

  /**
   * Before a report is written: the ledger allows every file a report may
   * write, so a report cut off half way is still this run's at the next start.
   */
  beginReport(): void {
    this.ledger.files = [...new Set([...this.ledger.files, ...REPORT_FILES, "charts/*"])];
    this.writeLedger();
  }

  /**
   * After writing: the ledger lists the files written (absolute paths inside
   * the folder). `scope` "all" (a run: every table and the report) removes
   * this run's files from an earlier write that this one did not write again
   * (a chart no longer drawn); "report" (the report command) does so only
   * for the charts and report files, and keeps the tables in the ledger.
   */
  endReport(written: readonly string[], scope: "all" | "report" = "all"): void {
    const rel = written.map((p) =>
      p
        .slice(this.dir.length + 1)
        .split(/[\\/]/)
        .join("/"),
    );
    const reportOnly = (f: string) => f.startsWith("charts/") || f === "report.html" || f === "report.md";
    for (const old of this.resultFiles()) {
      if (rel.includes(old) || !this.isOurs(old) || (scope === "report" && !reportOnly(old))) continue;
      rmSync(outputPath(this.dir, ...old.split("/")), { force: true });
    }
    const kept =
      scope === "report"
        ? this.ledger.files.filter(
            (f) => !reportOnly(f) && f !== "charts/*" && existsSync(outputPath(this.dir, ...f.split("/"))),
          )
        : [];
    this.ledger.files = [...new Set([...kept, ...rel])];
    this.writeLedger();
  }

  /** Appends one line to events.jsonl, with the run id. */
  event(record: Record<string, unknown>): void {
    appendFileSync(outputPath(this.dir, "events.jsonl"), `${JSON.stringify({ ...record, runId: this.runId })}\n`);
  }

  unitFolder(unit: Unit): string {
    return outputPath(this.dir, ...unit.path);
  }

  private unitFile(unit: Unit, name: string): string {
    return outputPath(this.dir, ...unit.path, name);
  }

  /** The unit's record when it finished (in this run), else null. */
  unitRecord(unit: Unit): UnitRecord | null {
    const path = this.unitFile(unit, "unit.json");
    if (!existsSync(path)) return null;
    const r = readJson(path) as Partial<UnitRecord> | null;
    if (r?.runId !== this.runId || (r.status !== "done" && r.status !== "diverged"))
      throw new UserError(
        "E_RESULTS_INVALID",
        `${path}: expected the record of a unit of run ${this.runId}, found ${r?.runId === undefined ? "another JSON value" : `one of run ${r.runId}`}`,
      );
    return r as UnitRecord;
  }

  /**
   * The assembly lock (units/_assembly.lock: no learner's folder can have that
   * name, since fileComponent never starts one with "_"): held while the
   * tables and report are written, so two processes that assemble at once (a
   * merge and the last shard) write one after the other. Waits up to
   * `waitMs` for a live holder; returns null once taken, or the holder that
   * kept it. A holder that is gone (on this host) is taken over.
   */
  async lockAssembly(waitMs: number): Promise<LockHolder | null> {
    mkdirSync(outputPath(this.dir, "units"), { recursive: true });
    const path = outputPath(this.dir, "units", "_assembly.lock");
    const deadline = performance.now() + waitMs;
    for (;;) {
      const holder = acquireLock(path, this.runId);
      if (holder === null || performance.now() >= deadline) return holder;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  unlockAssembly(): void {
    releaseLock(outputPath(this.dir, "units", "_assembly.lock"));
  }

  /** Reads files.json again: another process (a shard, a merge) may have written tables since this one opened. */
  reloadLedger(): void {
    this.ledger = ResultsStore.readLedger(this.dir, this.runId);
  }

  /**
   * Where an unfinished unit stands, read without taking its lock (merge):
   * running (its lock's holder may be alive), interrupted (a checkpoint and
   * no live holder: the next run resumes it) or not started.
   */
  unitProgress(unit: Unit): { state: "running"; holder: LockHolder } | { state: "interrupted" | "not started" } {
    const holder = readHolder(this.unitFile(unit, "lock"));
    if (holder !== null && holderAlive(holder)) return { state: "running", holder };
    return existsSync(this.unitFile(unit, "checkpoint.bin")) || existsSync(this.unitFile(unit, "state.bin"))
      ? { state: "interrupted" }
      : { state: "not started" };
  }

  /** Locks the unit for this process; returns the live holder when another process has it. */
  lock(unit: Unit): LockHolder | null {
    mkdirSync(this.unitFolder(unit), { recursive: true });
    return acquireLock(this.unitFile(unit, "lock"), this.runId);
  }

  unlock(unit: Unit): void {
    releaseLock(this.unitFile(unit, "lock"));
  }

  /** The unit's last checkpoint; a unit cut off while it was being recorded as finished has it as state.bin. */
  readCheckpoint(unit: Unit): Uint8Array | null {
    for (const name of ["checkpoint.bin", "state.bin"]) {
      const path = this.unitFile(unit, name);
      if (existsSync(path)) return unpack(path, "a checkpoint");
    }
    return null;
  }

  writeCheckpoint(unit: Unit, bytes: Uint8Array): void {
    writeFileAtomic(this.unitFile(unit, "checkpoint.bin"), pack(bytes));
  }

  /** Stores a finished learning unit: result.bin, the last checkpoint kept as state.bin, then unit.json. */
  finishLearning(unit: Unit, result: LearningUnitResult): void {
    writeFileAtomic(
      this.unitFile(unit, "result.bin"),
      pack(encodeSnapshot(captureState(result), { kind: "learning" })),
    );
    const checkpoint = this.unitFile(unit, "checkpoint.bin");
    if (existsSync(checkpoint)) renameSync(checkpoint, this.unitFile(unit, "state.bin"));
    this.writeRecord(unit, result.status, result.divergedEpoch);
  }

  /** Opens a recording a network unit streams into its folder (spikes.csv, state.csv), written atomically on commit. */
  openRecording(unit: Unit, name: "spikes.csv" | "state.csv", maxBytes: number): StreamFile {
    mkdirSync(this.unitFolder(unit), { recursive: true });
    return openStreamFile(this.unitFile(unit, name), maxBytes);
  }

  /** Continues a recording a stopped attempt of the unit left, from where its checkpoint says (null: cannot). */
  resumeRecording(
    unit: Unit,
    name: "spikes.csv" | "state.csv",
    maxBytes: number,
    at: StreamPosition,
  ): StreamFile | null {
    return resumeStreamFile(this.unitFile(unit, name), maxBytes, at);
  }

  /** The path of a recording the unit streamed, or null when it wrote none (a unit stored before streaming). */
  unitRecording(unit: Unit, name: "spikes.csv" | "state.csv"): string | null {
    const path = this.unitFile(unit, name);
    return existsSync(path) ? path : null;
  }

  /** Stores a finished network unit: result.bin, then unit.json; its last checkpoint is no longer needed. */
  finishNetwork(unit: Unit, result: NetworkUnitResult): void {
    writeFileAtomic(this.unitFile(unit, "result.bin"), pack(encodeSnapshot(captureState(result), { kind: "network" })));
    this.writeRecord(unit, "done");
    rmSync(this.unitFile(unit, "checkpoint.bin"), { force: true });
  }

  /** Stores a finished routing unit: its rows as result.bin, then unit.json. */
  finishRouting(unit: Unit, rows: readonly MetricRow[]): void {
    writeFileAtomic(
      this.unitFile(unit, "result.bin"),
      pack(encodeSnapshot(captureState({ rows: [...rows] }), { kind: "routing" })),
    );
    this.writeRecord(unit, "done");
  }

  private writeRecord(unit: Unit, status: UnitRecord["status"], divergedEpoch?: number): void {
    const record: UnitRecord = {
      runId: this.runId,
      label: unitLabel(unit),
      status,
      ...(divergedEpoch !== undefined ? { divergedEpoch } : {}),
      finished: new Date().toISOString(),
    };
    writeFileAtomic(this.unitFile(unit, "unit.json"), `${JSON.stringify(record, null, 2)}\n`);
  }

  private readResult(unit: Unit, kind: "learning" | "network" | "routing"): unknown {
    const path = this.unitFile(unit, "result.bin");
    try {
      const { snap, meta } = decodeSnapshot(unpack(path, "a unit result"));
      if ((meta as { kind?: unknown } | null)?.kind !== kind) throw new Error(`expected a ${kind} unit's result`);
      return restoreState(undefined, snap);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(
        "E_RESULTS_INVALID",
        `${path}: expected a unit result written by \`neurocompare run\`: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** A finished learning unit's result (call after `unitRecord` says it finished). */
  readLearning(unit: Unit): LearningUnitResult {
    return this.readResult(unit, "learning") as LearningUnitResult;
  }

  readNetwork(unit: Unit): NetworkUnitResult {
    return this.readResult(unit, "network") as NetworkUnitResult;
  }

  /** A finished routing unit's rows. */
  readRouting(unit: Unit): MetricRow[] {
    return (this.readResult(unit, "routing") as { rows: MetricRow[] }).rows;
  }
}
