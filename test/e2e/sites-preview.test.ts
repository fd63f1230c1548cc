/**
 * A big DHAT file dropped in browser mode shows its allocation sites by
 * function before its profile arrives (the host's sitesPreview event), and
 * the Sites view that then replaces them lists the same functions with the
 * same figures. The file is a valgrind DHAT recording of the alloc_sites
 * fixture made now, scaled up (test/helpers/memory-tools.ts scaleDhatFile)
 * past the size where the importer sends a preview. The profile's download
 * is held back until the preview has been checked and photographed
 * (test-artifacts/memory-sites-preview.png), so the test does not race it.
 */

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dropFile, launchChromium, openAppPage, screenshot, startServe, type ServeProcess } from '../helpers/browser';
import { compileAllocSites, recordDhat, scaleDhatFile } from '../helpers/memory-tools';
import { ARTIFACTS_DIR } from '../helpers/perf';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let bigFile: string;
const pageErrors: string[] = [];

before(async () => {
  const dir = join(ARTIFACTS_DIR, 'memory', 'sites-preview-e2e');
  mkdirSync(dir, { recursive: true });
  const binary = await compileAllocSites();
  bigFile = scaleDhatFile(recordDhat(binary, []).file, 6 << 20, join(dir, 'big.dhat.json')).file;
  serve = await startServe();
  browser = await launchChromium();
  page = await openAppPage(browser, serve.url, pageErrors, { width: 1400, height: 860 });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

/** The first `count` rows' cells as text, in order, once that many are drawn (the table draws the rows in view). */
async function firstRows(within: string, count: number): Promise<string[][]> {
  await page.waitForFunction(
    ([within, count]) => document.querySelectorAll(`${within} [data-testid=site-row]`).length >= Number(count),
    [within, count] as const,
    { timeout: 30_000 },
  );
  return page.$$eval(
    `${within} [data-testid=site-row]`,
    (rows, count) => rows.slice(0, count).map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')),
    count,
  );
}

test('the sites by function show before the profile, and the Sites view then lists the same', async () => {
  let downloadHeld = () => {};
  const held = new Promise<void>((resolve) => (downloadHeld = resolve));
  let releaseDownload = () => {};
  const released = new Promise<void>((resolve) => (releaseDownload = resolve));
  await page.route('**/download/**', async (route) => {
    downloadHeld();
    await released;
    await route.continue();
  });
  await dropFile(page, bigFile);

  const preview = page.getByTestId('sites-preview');
  await preview.getByTestId('site-row').first().waitFor({ timeout: 60_000 });
  assert.match((await preview.locator('.sites__caption').textContent()) ?? '', /still loading/);
  assert.match((await page.getByTestId('progress').textContent()) ?? '', /building its stacks/);
  const previewRows = await firstRows('[data-testid=sites-preview]', 20);
  await screenshot(page, 'memory-sites-preview');

  // The profile is ready to come down (the test holds it): the preview is what the window shows meanwhile.
  await held;
  assert.equal(await preview.count(), 1);
  releaseDownload();
  await page.locator('[data-testid=profile-view][data-analysis=ready]').waitFor({ timeout: 60_000 });
  assert.equal(await preview.count(), 0, 'the profile replaced the preview');
  const viewRows = await firstRows('[data-testid=sites-table]', 20);
  assert.deepEqual(viewRows, previewRows);
  assert.deepEqual(pageErrors, []);
});
