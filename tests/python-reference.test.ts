// The rule every cross-check against Brian2, PyTorch or h5py follows
// (tests/helpers/python-reference.ts): a missing reference skips its tests
// with the reason outside CI, and fails them when CI is set.
import { afterEach, describe, expect, it, vi } from "vitest";
import { pythonReference, requireReference } from "./helpers/python-reference.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("reference checks through /usr/bin/python3", () => {
  it("outside CI, a missing module skips with the package to install in the name", () => {
    vi.stubEnv("CI", "");
    const ref = pythonReference("neurocompare_no_such_module", "python3-nothing");
    expect(ref.missing).toMatch(
      /cannot import neurocompare_no_such_module \(apt-get install -y python3-nothing\)|not runnable/,
    );
    expect(ref.skip).toBe(true);
    expect(ref.why).toContain("skipped:");
  });

  it("with CI set, a missing module is not skipped, and requireReference fails the test", () => {
    vi.stubEnv("CI", "true");
    const ref = pythonReference("neurocompare_no_such_module", "python3-nothing");
    expect(ref.skip).toBe(false);
    expect(ref.why).toBe("");
    expect(() => requireReference(ref)).toThrow(/CI is set, so this reference check is required/);
  });

  it("a module that imports runs its checks", () => {
    vi.stubEnv("CI", "true");
    const ref = pythonReference("json", "python3");
    expect(ref).toEqual({ missing: undefined, skip: false, why: "" });
    expect(() => requireReference(ref)).not.toThrow();
  });
});
