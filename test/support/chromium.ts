/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser). Locally a missing
 * browser skips its tests, loudly and through the test runner (its summary counts them skipped);
 * with CI=true it is a failure (`.ci/run` installs the package).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Where the browser is; $GATEHOUSE_TEST_CHROMIUM elsewhere (a test of the skipping points it at nothing). */
export const CHROMIUM = process.env['GATEHOUSE_TEST_CHROMIUM'] || '/usr/bin/chromium';

/**
 * The `skip` option of each test that needs the browser: the reason, locally and only without the
 * browser; false otherwise, so that with CI=true the suite's `before` fails in requireChromium().
 * A `describe`'s own `skip` is not counted by the runner's summary; a test's is.
 */
export function skipWithoutBrowser(what: string): string | false {
  if (existsSync(CHROMIUM) || process.env['CI'] === 'true') return false;
  const reason = `${what} needs ${CHROMIUM} (apt-get install chromium)`;
  process.stderr.write(`\n!!! SKIPPED: ${reason}\n\n`);
  return reason;
}

/** For a browser suite's `before`, which runs even when its tests are skipped: nothing to do then; a failure when the browser is missing and not skipped. */
export function requireChromium(skipped: string | false): boolean {
  if (skipped) return false;
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
  return true;
}

/**
 * Headless, with nothing of its own reaching out (this machine's network is closed);
 * `extraArgs` for a test's own flags, such as `--host-resolver-rules` for another site's name.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
