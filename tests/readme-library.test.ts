// The README's "Use it as a library" example, run as it stands: the code block
// is cut out of README.md, written next to package.json (so that
// `import ... from "neurocompare"` resolves to this package's own dist/, as it
// would for a user who installed it), compiled from TypeScript to JavaScript
// (tests/readme-doctest.test.ts type-checks it against dist/index.d.ts) and
// run with node in an empty folder.
// It must exit 0 and print the figures it promises.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

describe("README: Use it as a library", () => {
  it("runs as written", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Use it as a library"));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, "no ```ts block under the heading").toBeDefined();
    expect(existsSync(join(root, "dist", "index.js")), "dist/ is missing: run `npm run build`").toBe(true);
    const script = join(root, `.readme-library-${process.pid}.mjs`);
    const cwd = mkdtempSync(join(tmpdir(), "neurocompare-readme-"));
    const js = ts.transpileModule(code!, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(script, js);
    try {
      const r = spawnSync(process.execPath, [script], { cwd, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^exit code 0, results in .*xor-demo$/m);
      // Mean, then either "± h" or the seeds' "[min, max]"; never a band that passes 0-100%.
      const mlp = /^mlp: (\d+\.\d)% (?:± (\d+\.\d)|\[(\d+\.\d), (\d+\.\d)\]) over 2 seeds$/m.exec(r.stdout);
      expect(mlp, r.stdout).not.toBeNull();
      const [mean, half] = [Number(mlp![1]), Number(mlp![2] ?? 0)];
      if (mlp![2] !== undefined) expect(mean - half >= 0 && mean + half <= 100).toBe(true);
      else expect(Number(mlp![3]) <= mean && mean <= Number(mlp![4])).toBe(true);
      expect(r.stdout).toMatch(/^lsm: /m);
      expect(r.stdout).toMatch(/^hand-trained MLP: \d+\.\d% on the moons test set$/m);
      expect(existsSync(join(cwd, "results", "xor-demo", "report.html"))).toBe(true);
    } finally {
      rmSync(script, { force: true });
    }
  });
});
