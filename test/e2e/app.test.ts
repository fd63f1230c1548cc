/**
 * The window in browser mode, driven in Chromium as a person would use it:
 * open the app, drop a profile recorded now, see the hot function (the one
 * `perf report` names) and its flame graph; drop bad files and see the banner
 * while the open profile stays.
 */

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, dropFile, launchChromium, openServedPage, screenshot, type ServeProcess, startServe } from '../helpers/browser';
import { compileFixture, perfReportBySymbol, perfScriptText, recordPerf } from '../helpers/perf';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let scriptText: string;
let hottest: string;
const workDir = join(artifactsDir, 'e2e');
const pageErrors: string[] = [];

before(async () => {
  await mkdir(workDir, { recursive: true });
  const binary = await compileFixture('cpu_hot');
  const perfData = await recordPerf(binary, [], { callGraph: 'fp', out: join(workDir, 'cpu_hot.perf.data') });
  scriptText = await perfScriptText(perfData);
  hottest = (await perfReportBySymbol(perfData)).functions[0].name;
  serve = await startServe();
  browser = await launchChromium();
  page = await openServedPage(browser, serve.url, pageErrors);
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

test('the app opens on an empty state that invites a drop', async () => {
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
  await screenshot(page, 'e2e-empty-state');
});

test('dropping a recorded perf script shows perf report\'s hottest function first, with a flame graph', async () => {
  await dropFile(page, scriptText);
  const firstRow = page.getByTestId('function-row').first();
  await firstRow.waitFor({ timeout: 30_000 });
  assert.match(await firstRow.innerText(), new RegExp(`\\b${hottest}\\b`));
  const canvas = page.getByTestId('flame-graph').locator('canvas');
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, `flame graph drawn at a usable size: ${JSON.stringify(box)}`);
  await screenshot(page, 'e2e-flame-graph');
});

test('bad files show a banner naming the file, and the open profile stays', async () => {
  const garbage = join(workDir, 'garbage.bin');
  await writeFile(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  await dropFile(page, garbage);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 15_000 });
  const message = await banner.innerText();
  assert.match(message, /garbage\.bin/);
  assert.match(message, /not a profile/);
  assert.match(await page.getByTestId('function-row').first().innerText(), new RegExp(`\\b${hottest}\\b`));
  await screenshot(page, 'e2e-error-banner');

  const empty = join(workDir, 'empty.perf.txt');
  await writeFile(empty, '');
  await dropFile(page, empty);
  await page.getByTestId('error-banner').filter({ hasText: 'empty.perf.txt' }).waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('error-banner').innerText(), /empty/);

  // Cut in the middle of a sample's header line, as a copy interrupted mid-write would be.
  const text = await readFile(scriptText, 'utf8');
  const headers = [...text.matchAll(/^\S.*$/gm)];
  const truncated = join(workDir, 'truncated.perf.txt');
  await writeFile(truncated, text.slice(0, headers[Math.floor(headers.length / 2)].index! + 12));
  await dropFile(page, truncated);
  await page.getByTestId('error-banner').filter({ hasText: 'truncated.perf.txt' }).waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('error-banner').innerText(), /truncated/);
  assert.match(await page.getByTestId('function-row').first().innerText(), new RegExp(`\\b${hottest}\\b`));
});

test('the page threw no uncaught errors along the way', () => {
  assert.deepEqual(pageErrors, []);
});
