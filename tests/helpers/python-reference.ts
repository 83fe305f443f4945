/**
 * Whether a reference implementation (Brian2, PyTorch, h5py) can be run
 * through Debian's /usr/bin/python3, and what a test does when it cannot.
 *
 * Outside CI a missing reference skips its tests, with the reason and the
 * Debian package to install in the test's name. When `CI` is set (.ci/run
 * installs every package first), a missing reference is a failure: the tests
 * run, and `requireReference` throws the reason, so CI cannot go green
 * without the cross-checks.
 */
import { spawnSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

/** True when the environment variable CI is set to anything but "" (GitHub Actions, GitLab, .ci/run). */
export function inCi(): boolean {
  return (process.env["CI"] ?? "") !== "";
}

export interface PythonReference {
  /** Why the module cannot be imported, or undefined when it can. */
  readonly missing: string | undefined;
  /** Skip the tests: missing, and not in CI. */
  readonly skip: boolean;
  /** " (skipped: …)" for a test's name when skipped, else "". */
  readonly why: string;
}

/** Probes `import module` in /usr/bin/python3 once. */
export function pythonReference(module: string, debianPackage: string): PythonReference {
  const probe = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8", timeout: 60_000 });
  const missing =
    probe.error !== undefined
      ? `${PYTHON} not runnable (${probe.error.message}); install python3 and ${debianPackage}`
      : probe.status !== 0
        ? `${PYTHON} cannot import ${module} (apt-get install -y ${debianPackage})`
        : undefined;
  const skip = missing !== undefined && !inCi();
  return { missing, skip, why: skip ? ` (skipped: ${missing})` : "" };
}

/** Throws when the reference is missing: call first in a test that `skipIf(ref.skip)` let run. */
export function requireReference(ref: PythonReference): void {
  if (ref.missing !== undefined) throw new Error(`${ref.missing}; CI is set, so this reference check is required`);
}
