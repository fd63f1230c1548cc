/**
 * The analysis window in browser mode, on profiles recorded now:
 *
 * - phases (test/fixtures/programs/phases.c) runs phase A then phase B.
 *   Selecting a range over phase B only makes phase B's hot function the
 *   top of the call tree and takes phase A out of the flame graph; the
 *   inverted tree starts with leaf functions; merge, focus and collapse
 *   recursion reshape the tree; the search marks matches.
 * - threads (threads.c) has named threads: selecting one filters the views.
 *
 * The facts compared come from `perf report` and the `perf script` text of
 * the same recording. Screenshots of every view go to test-artifacts/.
 */

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, dropFile, launchChromium, openAppPage, screenshot, startServe, type ServeProcess } from '../helpers/browser';
import { compileFixture, perfReportBySymbol, perfScriptText, recordPerf } from '../helpers/perf';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let phasesScript: string;
let threadsScript: string;
/** Times in seconds from the perf script text: first and last sample, first sample in phase B. */
let times: { first: number; last: number; phaseB: number };
let hottestLeaves: string[];
const pageErrors: string[] = [];
const workDir = join(artifactsDir, 'e2e');

/** Sample times and the first time phase_b is on a stack, from `perf script`'s default output. */
function sampleTimes(text: string): { first: number; last: number; phaseB: number } {
  let first = Infinity;
  let last = -Infinity;
  let phaseB = Infinity;
  let current = NaN;
  for (const line of text.split('\n')) {
    const header = /^\S.*?\s(\d+\.\d+):\s/.exec(line);
    if (header) {
      current = Number(header[1]);
      first = Math.min(first, current);
      last = Math.max(last, current);
    } else if (/\sphase_b\+/.test(line)) {
      phaseB = Math.min(phaseB, current);
    }
  }
  return { first, last, phaseB };
}

// Generous: a loaded CI machine can take many seconds to parse and analyse; a real hang still fails.
const ready = () => page.locator('[data-testid=profile-view][data-analysis=ready]').waitFor({ timeout: 60_000 });

/** Names of the call tree rows on screen, top to bottom, with their levels. */
async function callTreeRows(): Promise<{ name: string; level: number }[]> {
  await ready();
  return page.$$eval('[data-testid=call-tree] [data-testid=call-tree-row]', (rows) =>
    rows.map((row) => ({ name: row.getAttribute('data-func-name') ?? '', level: Number(row.getAttribute('aria-level')) })),
  );
}

async function flameBoxNames(): Promise<string[]> {
  await ready();
  return page.$$eval('[data-testid=flame-boxes] li', (items) => items.map((item) => item.getAttribute('data-func-name') ?? ''));
}

async function openMenuOn(name: string) {
  await page.locator(`[data-testid=call-tree-row][data-func-name="${name}"]`).first().click({ button: 'right' });
  await page.getByTestId('call-node-menu').waitFor();
}

before(async () => {
  await mkdir(workDir, { recursive: true });
  const phases = await compileFixture('phases');
  const phasesData = await recordPerf(phases, [], { callGraph: 'fp', out: join(workDir, 'phases.perf.data') });
  phasesScript = await perfScriptText(phasesData);
  times = sampleTimes(await readFile(phasesScript, 'utf8'));
  const report = await perfReportBySymbol(phasesData);
  hottestLeaves = report.functions.slice(0, 2).map((f) => f.name);
  const threads = await compileFixture('threads');
  threadsScript = await perfScriptText(await recordPerf(threads, [], { callGraph: 'fp', out: join(workDir, 'threads.perf.data') }));

  serve = await startServe();
  browser = await launchChromium();
  page = await openAppPage(browser, serve.url, pageErrors, { width: 1400, height: 860 });
  await dropFile(page, phasesScript);
  await page.getByTestId('function-row').first().waitFor({ timeout: 30_000 });
  await ready();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

test('the recording has phase A then phase B, and perf report names spin_a and spin_b hottest', () => {
  assert.ok(times.phaseB > times.first + 0.2 && times.phaseB < times.last - 0.2, JSON.stringify(times));
  assert.deepEqual([...hottestLeaves].sort(), ['spin_a', 'spin_b']);
});

test('the window opens on the timeline and a flame graph of both phases; the analysis runs in a worker', async () => {
  await page.getByTestId('timeline').waitFor();
  assert.equal(await page.getByTestId('thread-track').count(), 1);
  const names = await flameBoxNames();
  assert.ok(names.includes('phase_a') && names.includes('phase_b'), names.join(', '));
  assert.equal(await page.getByTestId('profile-view').getAttribute('data-analysis-runs-in'), 'worker');
  await screenshot(page, 'views-flame-graph');
});

test('the function table beside the flame graph keeps room for names: percentages only, amounts in their tooltips', async () => {
  const table = page.getByTestId('function-table');
  const headers = await table.locator('th').allInnerTexts();
  assert.deepEqual(headers.map((h) => h.replace(/[▲▼]/g, '').trim()), ['Function', 'Self %', 'Total %']);
  const nameCell = table.getByTestId('function-row').first().locator('td').first();
  const width = (await nameCell.boundingBox())?.width ?? 0;
  assert.ok(width >= 250, `the name column is ${width} px wide`);
  assert.match((await table.getByTestId('function-row').first().locator('td').nth(1).getAttribute('title')) ?? '', /^self \d/);
  // The arrow keys move the selection (as in the call tree), not just a focus ring.
  await table.getByTestId('function-row').first().focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await table.getByTestId('function-row').nth(1).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowUp');
  assert.equal(await table.getByTestId('function-row').first().getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter'); // unselect, as the tests after this expect nothing selected
});

test('a range over phase B only makes spin_b the top function and takes phase A out of the flame graph', async () => {
  const ruler = await page.locator('.timeline__ruler').boundingBox();
  const track = await page.getByTestId('thread-track').first().boundingBox();
  assert.ok(ruler && track);
  // The timeline spans the first sample to one interval (about 1 ms) after the last.
  const span = times.last + 0.001 - times.first;
  const xOf = (t: number) => ruler.x + (ruler.width * (t - times.first)) / span;
  const y = track.y + track.height / 2;
  await page.mouse.move(xOf(times.phaseB + 0.03), y);
  await page.mouse.down();
  await page.mouse.move(xOf(times.last) - 2, y, { steps: 10 });
  await page.mouse.up();
  await page.getByTestId('range-shade').waitFor();
  assert.match(await page.getByTestId('range-label').innerText(), /^Selected /);

  await ready();
  assert.match(await page.getByTestId('function-row').first().innerText(), /\bspin_b\b/);
  const names = await flameBoxNames();
  assert.ok(names.includes('phase_b') && names.includes('spin_b'), names.join(', '));
  assert.ok(!names.includes('phase_a') && !names.includes('spin_a'), `phase A is gone: ${names.join(', ')}`);
  await screenshot(page, 'views-range-phase-b');

  await page.getByTestId('view-call-tree').click();
  const rows = await callTreeRows();
  assert.ok(rows.some((row) => row.name === 'phase_b'));
  assert.ok(!rows.some((row) => row.name === 'phase_a'), rows.map((r) => r.name).join(', '));
  await screenshot(page, 'views-call-tree');
});

test('the inverted tree lists the leaf functions first', async () => {
  await page.getByTestId('invert').check();
  await ready();
  const rows = await callTreeRows();
  assert.equal(rows[0].name, 'spin_b');
  assert.equal(rows[0].level, 1);
  // Its callers follow, towards main.
  assert.deepEqual(
    rows.slice(1, 4).map((r) => r.name),
    ['descend', 'descend', 'phase_b'],
  );
  await screenshot(page, 'views-call-tree-inverted');
  await page.getByTestId('invert').uncheck();
  await ready();
});

test('merge, focus and collapse recursion reshape the call tree, as chips that come off again', async () => {
  const levelOf = (rows: { name: string; level: number }[], name: string) => rows.find((r) => r.name === name)?.level ?? -1;
  const before = await callTreeRows();
  assert.equal(levelOf(before, 'descend'), levelOf(before, 'phase_b') + 1);

  await openMenuOn('phase_b');
  await screenshot(page, 'views-context-menu');
  await page.getByTestId('menu-merge-function').click();
  await page.getByTestId('transform-chip').waitFor();
  const merged = await callTreeRows();
  assert.ok(!merged.some((r) => r.name === 'phase_b'), 'phase_b merged away');
  assert.equal(levelOf(merged, 'descend'), levelOf(merged, 'main') + 1, 'descend now called from main');
  await screenshot(page, 'views-merged');
  await page.locator('.chip__remove').first().click();

  await openMenuOn('descend');
  await page.getByTestId('menu-focus-function').click();
  await page.getByTestId('transform-chip').waitFor();
  const focused = await callTreeRows();
  assert.equal(focused[0].name, 'descend');
  assert.equal(focused[0].level, 1);
  assert.ok(!focused.some((r) => r.name === 'main'));
  await page.locator('.chip__remove').first().click();
  await ready();

  // Open the heaviest path, then collapse the recursion of descend.
  await page.getByTestId('call-tree').click();
  await page.getByTestId('call-tree').press('Home');
  await page.getByTestId('call-tree').press('*');
  const open = await callTreeRows();
  assert.equal(open.filter((r) => r.name === 'descend').length, 2, 'descend calls itself once');
  await openMenuOn('descend');
  await page.getByTestId('menu-collapse-recursion').click();
  await page.getByTestId('transform-chip').waitFor();
  await page.getByTestId('call-tree').press('Home');
  await page.getByTestId('call-tree').press('*');
  const collapsed = await callTreeRows();
  assert.equal(collapsed.filter((r) => r.name === 'descend').length, 1);
  assert.equal(levelOf(collapsed, 'spin_b'), levelOf(collapsed, 'descend') + 1);
  await screenshot(page, 'views-collapsed-recursion');
  await page.locator('.chip__remove').first().click();
  await ready();
});

test('the search highlights matches in every view and says their share', async () => {
  await page.getByTestId('search').fill('spin_b');
  await ready();
  // Nearly every sample of phase B runs spin_b (a few land in its callers or the kernel).
  const summary = await page.getByTestId('search-summary').innerText();
  const share = /^1 function · ([\d.]+)% of samples$/.exec(summary);
  assert.ok(share && Number(share[1]) >= 95, summary);
  assert.ok((await page.locator('[data-testid=call-tree-row].matched').count()) >= 1);
  await page.getByTestId('view-flame').click();
  await ready();
  await screenshot(page, 'views-search');
  await page.getByTestId('search').fill('');
});

test('every view draws: icicle, heat colours, stack chart, sandwich, heaviest stack, speedscope', async () => {
  await page.getByTestId('option-icicle').click();
  await page.getByTestId('option-heat').click();
  await ready();
  await screenshot(page, 'views-icicle-heat');
  await page.getByTestId('option-flame').click();
  await page.getByTestId('option-category').click();

  await page.getByTestId('view-stack-chart').click();
  await page.getByTestId('stack-chart').locator('canvas').first().waitFor();
  await ready();
  // Drawn, not just there: the chart takes the pane under its 20 px ruler, and its boxes answer the pointer.
  const ruler = await page.locator('.stack-chart__ruler').boundingBox();
  const chart = await page.getByTestId('stack-chart').locator('.flame-canvas').boundingBox();
  assert.ok(ruler && chart && ruler.height === 20 && chart.height > 200, `ruler ${JSON.stringify(ruler)}, chart ${JSON.stringify(chart)}`);
  await page.mouse.move(chart.x + chart.width / 2, chart.y + 8);
  await page.getByTestId('stack-chart').getByRole('tooltip').waitFor({ timeout: 5_000 });
  // The outermost frame of the phases program's stacks (perf script's last frame of every sample), with its duration.
  assert.match(await page.getByTestId('stack-chart').getByRole('tooltip').innerText(), /^__libc_start_call_main\nDuration\n\d+ ms/);
  await screenshot(page, 'views-stack-chart');
  await page.mouse.move(0, 0);

  await page.getByTestId('function-row').first().click();
  await page.getByTestId('view-sandwich').click();
  await page.getByTestId('sandwich').waitFor();
  assert.match(await page.getByTestId('sandwich').innerText(), /spin_b/);
  assert.ok((await page.locator('[data-testid=sandwich-callers] [data-testid=call-tree-row]').count()) >= 2);
  await page.getByTestId('heaviest-frame').nth(1).click();
  // The click selects main: the sandwich is analysed again for it; the screenshot is of that result.
  await ready();
  await page.getByTestId('sandwich').waitFor();
  assert.match(await page.getByTestId('sandwich').innerText(), /\bmain\b/);
  await screenshot(page, 'views-sandwich');

  await page.getByTestId('view-speedscope').click();
  await page.locator('[data-testid=speedscope][data-status=ready]').waitFor({ timeout: 20_000 });
  // speedscope draws its own flame chart from the exported selection.
  await page.frameLocator('.speedscope__frame').locator('canvas').first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  await screenshot(page, 'views-speedscope');
  await page.getByTestId('view-flame').click();
});

test('zooming the timeline with Ctrl + wheel narrows the ruler; the dark theme follows the system', async () => {
  const ruler = await page.locator('.timeline__ruler').boundingBox();
  assert.ok(ruler);
  await page.mouse.move(ruler.x + ruler.width / 2, ruler.y + 40);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -500);
  await page.keyboard.up('Control');
  await page.getByRole('button', { name: 'Show all', disabled: false }).waitFor();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(200);
  await screenshot(page, 'views-zoomed-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'Show all' }).click();
  await page.getByRole('button', { name: 'Show all', disabled: true }).waitFor();
});

test('a second profile opens in its own tab; selecting a thread filters the views', async () => {
  // perf script's default line starts with the thread's name: count each thread's samples.
  const text = await readFile(threadsScript, 'utf8');
  const samplesOf = (name: string) => text.split('\n').filter((line) => line.startsWith(`${name} `)).length;
  const beta = samplesOf('hl-beta');
  assert.ok(beta > 50 && samplesOf('hl-alpha') > beta, 'alpha does twice beta\'s work');

  await dropFile(page, threadsScript);
  await page.getByTestId('profile-tab').nth(1).waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=thread-track][data-thread-name="hl-beta"]').waitFor({ timeout: 30_000 });
  await ready();
  const total = async () => Number((await page.getByTestId('selection-total').innerText()).replace(/\D/g, ''));
  const whole = await total();
  assert.ok(whole > beta);
  await page.locator('[data-testid=thread-track][data-thread-name="hl-beta"] .timeline__select').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=selection-total]')?.textContent?.replace(/\D/g, '') === String(n), beta);
  assert.equal(await total(), beta);
  await screenshot(page, 'views-thread-selected');

  // The first tab kept its own state.
  await page.getByTestId('profile-tab').first().locator('[role=tab]').click();
  await ready();
  assert.match(await page.getByTestId('range-label').innerText(), /^Selected /);
});

test('the page threw no uncaught errors along the way', () => {
  assert.deepEqual(pageErrors, []);
});
