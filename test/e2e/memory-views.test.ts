/**
 * The memory views in browser mode, on a DHAT recording made now of
 * test/fixtures/programs/alloc_sites.c: the Sites view lists the leak site
 * first by bytes at exit and the peak site first by bytes at the peak, and
 * the metric selector reweighs the flame graph. The expected sites come
 * from the DHAT file itself (its per-program-point eb and gb), not from
 * names typed here. A massif recording of the same program shows its heap
 * over time in the timeline's place, peaking where ms_print says.
 * A heaptrack recording (a million short-lived blocks, so the run spans
 * about a second) adds the Temporary column and metric, checked against
 * heaptrack_print's temporary counts, and a range dragged on the memory
 * track filters the sites: the fixture's leak site runs after the
 * short-lived one, so the first part of the run holds no leak_site row.
 * Screenshots go to test-artifacts/memory-*.png.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dropFile, launchChromium, openAppPage, screenshot, startServe, type ServeProcess } from '../helpers/browser';
import { compileFixture } from '../helpers/perf';
import { formatWeight } from '../../src-renderer/format/numbers';
import { heaptrackPrintReport, msPrintPeak, recordDhat, recordHeaptrack, recordMassif } from '../helpers/memory-tools';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let dhatFile: string;
let massifFile: string;
let heaptrackFile: string;
const pageErrors: string[] = [];

interface DhatJson {
  ftbl: string[];
  pps: { eb: number; gb?: number; fs: number[] }[];
}

/**
 * The allocating function of the program point with the most bytes in
 * `column`: its first frame, leaf first, with a source line (DHAT writes
 * "0xADDR: name (file.c:LINE)"; malloc's own frames say "(in lib.so)").
 */
function topSiteFunction(json: DhatJson, column: 'eb' | 'gb'): string {
  const pp = [...json.pps].sort((a, b) => (b[column] ?? 0) - (a[column] ?? 0))[0];
  for (const f of pp.fs) {
    const match = /^0x[0-9A-Fa-f]+: (.+?) \([^()]*:\d+\)$/.exec(json.ftbl[f]);
    if (match) return match[1];
  }
  throw new Error(`no frame with a source line in ${JSON.stringify(pp.fs.map((f) => json.ftbl[f]))}`);
}

const ready = () => page.locator('[data-testid=profile-view][data-analysis=ready]').waitFor({ timeout: 20_000 });

async function siteLabels(): Promise<string[]> {
  return page.$$eval('[data-testid=sites-table] [data-testid=site-row]', (rows) => rows.map((row) => row.getAttribute('data-site-label') ?? ''));
}

before(async () => {
  const binary = await compileFixture('alloc_sites');
  dhatFile = recordDhat(binary, []).file;
  massifFile = recordMassif(binary, []);
  heaptrackFile = recordHeaptrack(binary, ['1000000']);
  serve = await startServe();
  browser = await launchChromium();
  page = await openAppPage(browser, serve.url, pageErrors, { width: 1400, height: 860 });
  await dropFile(page, dhatFile);
  await page.getByTestId('function-row').first().waitFor({ timeout: 30_000 });
  await ready();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

test('the Sites view: leak site first by bytes at exit, peak site first by bytes at the peak', async () => {
  const json = JSON.parse(readFileSync(dhatFile, 'utf8')) as DhatJson;
  const leak = topSiteFunction(json, 'eb');
  const peak = topSiteFunction(json, 'gb');
  assert.notEqual(leak, peak);

  await page.getByTestId('view-sites').click();
  await page.getByTestId('sites-table').waitFor();
  await page.getByTestId('sites-group-by').selectOption('function');

  await page.getByTestId('sites-sort-endBytes').click();
  assert.equal((await page.locator('[data-testid=sites-table] th[aria-sort]').innerText()).trim().replace(/\s*▼$/, ''), 'Leaked');
  // DHAT measures lifetimes and accesses: their columns are there.
  const headers = (await page.locator('[data-testid=sites-table] thead th').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
  for (const name of ['Avg lifetime', 'Reads/B', 'Writes/B']) assert.ok(headers.includes(name), `${name} in ${headers.join(', ')}`);
  assert.equal((await siteLabels())[0], leak);
  await screenshot(page, 'memory-sites-leaked');

  await page.getByTestId('sites-sort-peakBytes').click();
  assert.equal((await siteLabels())[0], peak);
  const firstRow = page.getByTestId('site-row').first();
  assert.match(await firstRow.innerText(), /MiB/, 'the peak block is megabytes and is written so');
  await screenshot(page, 'memory-sites-peak');

  // Group by file:line: labels become "file:line".
  await page.getByTestId('sites-group-by').selectOption('line');
  assert.match((await siteLabels())[0], /alloc_sites\.c:\d+$/);
  await screenshot(page, 'memory-sites-lines');
});

test('the metric selector weighs the flame graph by leaked bytes', async () => {
  const json = JSON.parse(readFileSync(dhatFile, 'utf8')) as DhatJson;
  const leak = topSiteFunction(json, 'eb');
  const peak = topSiteFunction(json, 'gb');
  await page.getByTestId('view-flame').click();
  await page.getByTestId('memory-metric').selectOption('endBytes');
  await ready();
  const names = await page.$$eval('[data-testid=flame-boxes] li', (items) => items.map((item) => item.getAttribute('data-func-name') ?? ''));
  assert.ok(names.includes(leak), names.join(', '));
  assert.ok(!names.includes(peak), `${peak} leaks nothing: ${names.join(', ')}`);
  const eb = json.pps.reduce((sum, pp) => sum + pp.eb, 0);
  assert.match(await page.getByTestId('selection-total').innerText(), eb >= 1024 ? /KiB|MiB/ : /B/);
  await screenshot(page, 'memory-flame-leaked');
});

test('massif: the heap over time, peaking at ms_print\'s peak', async () => {
  const peak = msPrintPeak(massifFile);
  await dropFile(page, massifFile);
  await page.getByTestId('profile-tab').nth(1).waitFor();
  const heap = page.locator('[data-testid=counter-track][data-counter-name=heap]');
  await heap.waitFor({ timeout: 30_000 });
  await ready();
  assert.equal((await heap.locator('.counter-track__peak').innerText()).trim(), `peak ${formatWeight(peak.usefulHeapBytes, 'bytes')}`);
  await page.getByTestId('view-sites').click();
  await page.getByTestId('sites-sort-peakBytes').click();
  await page.getByTestId('site-row').first().waitFor();
  await screenshot(page, 'memory-massif');

  // massif measured only bytes at the peak: the metric selector offers nothing else.
  await page.getByTestId('view-flame').click();
  const options = await page.$$eval('[data-testid=memory-metric] option', (items) => items.map((item) => (item as HTMLOptionElement).value));
  assert.deepEqual(options, ['peakBytes']);
  await ready();
  const names = await page.$$eval('[data-testid=flame-boxes] li', (items) => items.map((item) => item.getAttribute('data-func-name') ?? ''));
  assert.equal(names[1], peak.sites[0].name, `the widest box under main is ms_print's biggest peak site: ${names.join(', ')}`);
  await screenshot(page, 'memory-massif-flame');

  // A range before the peak (the fixture's big block comes last): the largest detailed snapshot there, without the peak site.
  await page.getByTestId('view-sites').click();
  const graph = page.locator('[data-testid=counter-track][data-counter-name=heap] svg');
  const box = (await graph.boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.getByTestId('range-shade').waitFor();
  await ready();
  assert.match(await page.getByTestId('sites-range-note').innerText(), /largest detailed snapshot|no detailed snapshot/);
  assert.ok(!(await siteLabels()).includes(peak.sites[0].name), `${peak.sites[0].name} is allocated after the range`);
  await screenshot(page, 'memory-massif-range');
  await page.getByRole('button', { name: 'Clear selection' }).click();
  assert.deepEqual(pageErrors, []);
});

test("heaptrack: temporary allocations as heaptrack_print counts them, and a range filters the sites", async () => {
  const reference = heaptrackPrintReport(heaptrackFile);
  const byTemporary = [...reference.byFunction].sort((a, b) => b[1].temporary - a[1].temporary);
  const [topTemporary, topCosts] = byTemporary[0];
  assert.ok(topCosts.temporary > 0);
  const neverTemporary = byTemporary.filter(([, c]) => c.temporary === 0 && c.allocations > 0).map(([name]) => name);

  await dropFile(page, heaptrackFile);
  await page.getByTestId('profile-tab').nth(2).waitFor();
  await page.locator('[data-testid=counter-track][data-counter-name=heap]').waitFor({ timeout: 30_000 });
  await ready();
  await page.getByTestId('view-sites').click();
  await page.getByTestId('sites-group-by').selectOption('function');
  await page.getByTestId('sites-sort-temporary').click();
  const first = page.getByTestId('site-row').first();
  assert.equal(await first.getAttribute('data-site-label'), topTemporary);
  const cells = await first.locator('td').allInnerTexts();
  const headers = await page.locator('[data-testid=sites-table] thead th').allInnerTexts();
  const column = headers.findIndex((h) => h.startsWith('Temporary'));
  assert.equal(cells[column].replace(/,/g, ''), String(topCosts.temporary), "heaptrack_print's temporary count of the top site");
  // heaptrack measures no lifetimes, reads or writes: those columns are left out, not filled with dashes.
  assert.deepEqual(
    headers.map((h) => h.replace(/[▲▼]/g, '').trim()).filter((h) => ['Avg lifetime', 'Reads/B', 'Writes/B'].includes(h)),
    [],
  );
  await screenshot(page, 'memory-heaptrack-temporary');

  // The call views weigh by temporary allocations too.
  await page.getByTestId('view-flame').click();
  await page.getByTestId('memory-metric').selectOption('temporary');
  await ready();
  const names = await page.$$eval('[data-testid=flame-boxes] li', (items) => items.map((item) => item.getAttribute('data-func-name') ?? ''));
  assert.ok(names.includes(topTemporary), names.join(', '));
  for (const name of neverTemporary) assert.ok(!names.includes(name), `${name} makes no temporary allocation: ${names.join(', ')}`);
  await screenshot(page, 'memory-heaptrack-flame-temporary');

  // Drag across the first part of the memory track: only what was allocated then.
  await page.getByTestId('view-sites').click();
  await page.getByTestId('sites-sort-totalBlocks').click();
  const wholeLabels = await siteLabels();
  assert.ok(wholeLabels.includes('leak_site'), wholeLabels.join(', '));
  const graph = page.locator('[data-testid=counter-track][data-counter-name=heap] svg');
  const box = (await graph.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.02, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.getByTestId('range-shade').waitFor();
  await ready();
  assert.match(await page.getByTestId('sites-range-note').innerText(), /allocations made from/);
  const inRange = await siteLabels();
  assert.ok(inRange.includes(topTemporary), inRange.join(', '));
  assert.ok(!inRange.includes('leak_site'), `leak_site runs last: ${inRange.join(', ')}`);
  const blocksColumn = headers.findIndex((h) => h.startsWith('Blocks'));
  const blocks = Number((await page.getByTestId('site-row').first().locator('td').nth(blocksColumn).innerText()).replace(/,/g, ''));
  assert.ok(blocks > 0 && blocks < reference.allocations, `${blocks} of ${reference.allocations} blocks in the range`);
  await screenshot(page, 'memory-heaptrack-range');
  // The tracks have a ruler in heaptrack's clock (time since the program started), from 0 on.
  const ticks = await page.getByTestId('memory-ruler').locator('span').allInnerTexts();
  assert.ok(ticks.length >= 3 && /^0(\.0+)? (µs|ms|s)$/.test(ticks[0]) && ticks.every((t) => /^\d[\d.,]* (µs|ms|s)$/.test(t)), ticks.join(' | '));
  assert.deepEqual(pageErrors, []);
});
