// The one way a test drives a browser: a Chromium found on this machine (CONTAMOS_CHROMIUM, else
// /usr/bin/chromium, else chromium, chromium-browser or google-chrome on PATH), launched headless
// by playwright-core with nothing reaching outside (no sync, no component updates, no QUIC).
// Without a Chromium the browser suites are skipped with a visible line; with
// CONTAMOS_REQUIRE_BROWSER=1 (set by .ci/run, which installs Chromium) a missing one fails the run.
import { chromium, type Browser } from 'playwright-core';
import { describeIfFound, requireBinary } from './requires.js';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', 'chromium', 'chromium-browser', 'google-chrome'] as const;

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** This machine's Chromium, or undefined (and a line saying the browser tests are skipped). */
export const chromiumPath: string | undefined = requireBinary('Chromium', {
  envVar: 'CONTAMOS_CHROMIUM',
  candidates: CHROMIUM_CANDIDATES,
  required: process.env.CONTAMOS_REQUIRE_BROWSER === '1',
  requiredBy: 'CONTAMOS_REQUIRE_BROWSER=1',
});

/** `describe` when a Chromium was found, else `describe.skip`. */
export const describeWithBrowser = describeIfFound(chromiumPath);

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no Chromium on this machine: wrap browser suites in describeWithBrowser');
  return chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS });
}
