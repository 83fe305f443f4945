#!/usr/bin/env node
/**
 * The `neurocompare` executable: quiet on a closed pipe, then runs the command
 * line (program.ts) and turns its result into the exit status (an internal
 * error, which is a bug, gets one line and a crash report).
 */
import { packageVersion } from "../version.js";
import { INTERNAL_ERROR_EXIT_CODE, reportInternalError } from "./crash-report.js";
import { main } from "./program.js";

/**
 * A reader that stops early (`neurocompare schema | head`) closes the pipe, and
 * every later write to it fails with EPIPE, emitted as an 'error' event that
 * would end the process with a stack trace. Output nobody reads is not an
 * error: drop it and let the command finish its work (a run still writes its
 * results files) and exit with its own status.
 */
function dropOutputAfterClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    stream.write = () => true;
  });
}
dropOutputAfterClosedPipe(process.stdout);
dropOutputAfterClosedPipe(process.stderr);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // One line on the terminal; the stack trace goes into the crash report it names.
    process.stderr.write(reportInternalError(e, process.argv.slice(2), packageVersion));
    process.exitCode = INTERNAL_ERROR_EXIT_CODE;
  },
);
