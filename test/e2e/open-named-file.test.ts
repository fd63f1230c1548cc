/**
 * `heatline serve FILE` imports FILE from the start (host/early-imports.ts)
 * while the page loads; the page still gets that profile and draws it, flame
 * graph first, then the timeline and the function table (perf report's
 * hottest function on top). A FILE that cannot be read shows the banner
 * naming it, as it did when the import started on the page's request.
 */

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifactsDir, launchChromium, screenshot, startServe, type ServeProcess } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { compileFixture, perfReportBySymbol, recordPerf } from '../helpers/perf';

const workDir = join(artifactsDir, 'e2e-open-named');
let browser: Browser;
let perfData: string;
let hottest: string;
const serves: ServeProcess[] = [];
const pageErrors: string[] = [];

before(async () => {
  await mkdir(workDir, { recursive: true });
  perfData = await recordPerf(await compileFixture('cpu_hot'), [], { callGraph: 'fp', out: join(workDir, 'cpu_hot.perf.data') });
  hottest = (await perfReportBySymbol(perfData)).functions[0].name;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const serve of serves) await serve.stop();
});

async function pageFor(files: string[]) {
  const serve = await startServe(files);
  serves.push(serve);
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(serve.url);
  return page;
}

test('serve FILE: the early import reaches the page; flame graph, timeline and function table all show', async () => {
  const page = await pageFor([perfData]);
  await page.locator('[data-testid=flame-boxes] li').first().waitFor({ state: 'attached', timeout: 60_000 });
  await page.getByTestId('function-row').first().waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('function-row').first().innerText(), new RegExp(`\\b${hottest}\\b`));
  await page.getByTestId('thread-track').first().waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  await screenshot(page, 'open-time/open-named-file');
  await page.close();
});

test('serve FILE with a file that is no profile: the banner names the file', async () => {
  const bad = join(workDir, 'not-a-profile.data');
  await writeFile(bad, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  const page = await pageFor([bad]);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 30_000 });
  const message = await banner.innerText();
  assert.match(message, /not-a-profile\.data/);
  assert.match(message, /not a profile/);
  assert.doesNotMatch(message, /internal error|\n\s+at /);
  await screenshot(page, 'open-time/open-named-file-error');
  await page.close();
});

test('serve with several FILEs: each opens in a tab of its own, in the order named', async () => {
  // The same recording under two names: the tabs must be two, named as the files.
  const second = join(workDir, 'second.perf.data');
  await writeFile(second, await readFile(perfData));
  const page = await pageFor([perfData, second]);
  await page.getByTestId('profile-tab').nth(1).waitFor({ timeout: 60_000 });
  assert.deepEqual(
    (await page.getByTestId('profile-tab').allInnerTexts()).map((text) => text.replace(/×/g, '').trim()),
    ['cpu_hot.perf.data', 'second.perf.data'],
  );
  await page.getByTestId('function-row').first().waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('function-row').first().innerText(), new RegExp(`\\b${hottest}\\b`));
  await screenshot(page, 'open-time/open-two-files');
  await page.close();
});

test('Open… in the page takes several files at once: one tab each', async () => {
  const second = join(workDir, 'picked-second.perf.data');
  await writeFile(second, await readFile(perfData));
  const page = await pageFor([]);
  await page.getByTestId('empty-state').waitFor({ timeout: 30_000 });
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open…' }).first().click();
  const picker = await chooser;
  assert.equal(picker.isMultiple(), true, 'the chooser lets several files be picked');
  await picker.setFiles([perfData, second]);
  await page.getByTestId('profile-tab').nth(1).waitFor({ timeout: 60_000 });
  assert.deepEqual(
    (await page.getByTestId('profile-tab').allInnerTexts()).map((text) => text.replace(/×/g, '').trim()),
    ['cpu_hot.perf.data', 'picked-second.perf.data'],
  );
  await page.close();
});

test('a cut perf.data opens with what was whole, and the header says the file is cut; its button lists every warning', async () => {
  const bytes = await readFile(perfData);
  const cut = join(workDir, 'cut.perf.data');
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const page = await pageFor([cut]);
  const warnings = page.getByTestId('profile-warnings');
  await warnings.waitFor({ timeout: 60_000 });
  assert.match(await warnings.innerText(), /^\d+ warnings?:\s+[^\n]*\bcut\b/);
  await warnings.click();
  const listed = await page.getByTestId('profile-warning-list').locator('li').allInnerTexts();
  const cli = await runCli(['report', cut]);
  const printed = cli.stderr.split('\n').filter((line) => line.startsWith('heatline: warning: ')).map((line) => line.replace(/^heatline: warning: cut\.perf\.data: /, ''));
  assert.deepEqual(listed, printed, 'the same warnings as heatline report prints');
  await screenshot(page, 'open-time/open-cut-file-warnings');
  await page.close();
});

test('the pages threw no uncaught errors', () => {
  assert.deepEqual(pageErrors, []);
});
