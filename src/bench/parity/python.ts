/**
 * Running the Python side of the parity checks: where the scripts are, whether
 * /usr/bin/python3 can import torch, and one child process per call, its
 * stdout returned (the reference scripts print JSON lines) and its stderr's
 * tail in the error when it fails.
 */
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is dist/bench/parity/python.js or src/bench/parity/python.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const REFERENCE_SCRIPT = join(repoRoot, "bench", "parity", "reference.py");

/** Whether /usr/bin/python3 (or `python`) can import torch; the reason when not. */
export function referenceAvailable(python = "/usr/bin/python3"): Promise<string | null> {
  return new Promise((done) => {
    const p = spawn(python, ["-c", "import torch, numpy"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", (e) => done(`${python}: ${e.message}`));
    p.on("close", (code) =>
      done(code === 0 ? null : `${python} cannot import torch and numpy (${err.trim().split("\n").pop() ?? ""})`),
    );
  });
}

/** Runs `python args...` in the reference scripts' folder; resolves with its stdout. */
export function runPython(python: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { cwd: dirname(REFERENCE_SCRIPT), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", (e) => fail(new Error(`${python}: ${e.message}`)));
    child.on("close", (code) =>
      code === 0 ? done(out) : fail(new Error(`${python} exited with ${code}:\n${err.slice(-2000)}`)),
    );
  });
}
