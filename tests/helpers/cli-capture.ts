// One CLI command line run in the test process (`main(argv)` in src/cli/program.ts, so coverage sees it):
// its exit status, and stdout and stderr interleaved as a terminal would show them.
import { vi } from "vitest";
import { main } from "../../src/cli/program.js";

export interface CliResult {
  code: number;
  output: string;
}

export async function runCli(argv: string[]): Promise<CliResult> {
  let output = "";
  const take = (s: string | Uint8Array) => {
    output += String(s);
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(take),
    vi.spyOn(process.stderr, "write").mockImplementation(take),
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => take(`${a.join(" ")}\n`)),
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => take(`${a.join(" ")}\n`)),
  ];
  process.exitCode = undefined;
  try {
    return { code: await main(argv), output };
  } finally {
    process.exitCode = undefined;
    for (const s of spies) s.mockRestore();
  }
}
