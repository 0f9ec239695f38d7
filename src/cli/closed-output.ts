/**
 * A reader that goes away before the output is written (`gatehouse users passwd alice | true`, a
 * `head` that has read enough) is no crash: the write fails with EPIPE and, instead of an
 * unhandled 'error' event and its stack trace, one line on stderr says so. The exit code stays
 * the command's: the work it reports on is done, only the report is lost.
 */
export function watchClosedOutput(name: string): void {
  let told = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (told) return;
    told = true;
    process.stderr.write(
      `${name}: standard output was closed (${error.code ?? error.name}), so its output was not all written\n`,
    );
  });
  // A closed stderr leaves no one to tell.
  process.stderr.on('error', () => {});
}
