/**
 * Debian's Chromium, headless, driven by puppeteer-core (which downloads nothing): the load kit's report screenshot,
 * the report test and the session explorer's browser test open pages with it. A fresh profile in a temporary folder
 * each time, removed on close, and no background traffic (no component updates, sync or field trials), so opening a
 * page sends nothing anywhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where Debian's `chromium` package puts the browser (`.ci/run` installs it when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A running browser and how to end it (and remove its profile). */
export interface HeadlessChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts Debian's Chromium headless on a fresh profile. */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = await mkdtemp(path.join(tmpdir(), 'headless-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
