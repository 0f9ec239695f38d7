/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser). Locally a missing
 * browser skips its tests loudly; with CI=true it is a failure (`.ci/run` installs the package).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether browser tests skip here: only locally, and only without the browser. */
export function browserMissing(what: string): boolean {
  const missing = !existsSync(CHROMIUM) && process.env['CI'] !== 'true';
  if (missing) process.stderr.write(`\n!!! SKIPPED: ${what} needs ${CHROMIUM} (apt-get install chromium)\n\n`);
  return missing;
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
