/**
 * `npx tsx load/report-screenshot.ts <report.html> <out.png>`: a full-page screenshot of a load-test report in
 * headless Chromium, as the README's picture of a report (docs/load-report.png) was taken.
 */
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../tools/headless-chromium';
import { runCommand } from '../tools/run-command';

async function main(): Promise<number> {
  const [report, out] = process.argv.slice(2);
  if (report === undefined || out === undefined) {
    process.stderr.write('Usage: npx tsx load/report-screenshot.ts <report.html> <out.png>\n');
    return 2;
  }
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
    // A string: the project's TypeScript has no DOM types, and this runs in the page.
    await page.waitForFunction("document.body.dataset.charts === '3'");
    await page.screenshot({ path: out as `${string}.png`, fullPage: true });
  } finally {
    await chromium.close();
  }
  process.stdout.write(`${out}\n`);
  return 0;
}

runCommand(main, { status: 1 });
