/**
 * Timeline markers in browser mode, on `perf record -e cpu-clock -e
 * sched:sched_switch -g` recordings made now of the threads fixture (three
 * named threads) and sleepy (waits in nap()):
 *
 * - each thread's marker strip draws as many markers as `perf script -F
 *   tid,event` lists sched_switch lines for that thread id (the strip's
 *   data-marker-count, with the whole recording in view);
 * - the legend names the event with perf script's count; toggling it hides
 *   every marker, toggling again shows them;
 * - hovering a marker shows a tooltip with the event and its stack's leaf
 *   function, which is the first frame perf script prints for one of
 *   sleepy's switches; clicking it selects that marker;
 * - zooming in (a range, then "Zoom to selection") shows fewer markers, and
 *   "Show all" brings them back.
 *
 * Screenshots: test-artifacts/markers/*.png. Tracepoints need a readable
 * tracefs (CI runs as root); without it the test skips and says why.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, dropFile, launchChromium, openAppPage, startServe, type ServeProcess } from '../helpers/browser';
import { compileFixture } from '../helpers/perf';
import { recordPerfWith } from '../helpers/perf-data';

let unavailable: string | false = false;
let serve: ServeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let threadsData = '';
let sleepyData = '';
const pageErrors: string[] = [];
const shots = join(artifactsDir, 'markers');

before(async () => {
  const probe = spawnSync('perf', ['record', '-e', 'sched:sched_switch', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    unavailable = `perf cannot record the sched:sched_switch tracepoint here (tracefs not readable?): ${probe.stderr.trim().split('\n')[0]}`;
    console.log(`# skipping marker view tests: ${unavailable}`);
    return;
  }
  const events = ['-e', 'cpu-clock', '-e', 'sched:sched_switch', '-g', '--'];
  threadsData = await recordPerfWith([...events, await compileFixture('threads')], 'threads-markers-e2e.perf.data');
  sleepyData = await recordPerfWith([...events, await compileFixture('sleepy'), '200'], 'sleepy-markers-e2e.perf.data');
  mkdirSync(shots, { recursive: true });
  serve = await startServe();
  browser = await launchChromium();
  page = await openAppPage(browser, serve.url, pageErrors, { width: 1400, height: 860 });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

/** tid -> sched_switch lines, from perf script (a thread's comm changes when it renames itself, its tid does not). */
function perfSwitchesByTid(data: string): Map<string, number> {
  const out = spawnSync('perf', ['script', '-i', data, '-F', 'tid,event'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(out.status, 0, out.stderr);
  const counts = new Map<string, number>();
  for (const line of out.stdout.split('\n')) {
    const match = /^\s*(\d+)\s+sched:sched_switch:\s*$/.exec(line);
    if (match) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  return counts;
}

/** tid -> markers drawn in its strip. */
async function stripCounts(): Promise<Map<string, number>> {
  const pairs = await page.$$eval('[data-testid=marker-strip]', (strips) =>
    strips.map((s) => [s.getAttribute('data-tid') ?? '', Number(s.getAttribute('data-marker-count'))] as const),
  );
  const counts = new Map<string, number>();
  for (const [name, count] of pairs) if (count > 0) counts.set(name, (counts.get(name) ?? 0) + count);
  return counts;
}

const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

test('each thread draws as many markers as perf script lists; the legend toggles them', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const perf = perfSwitchesByTid(threadsData);
  assert.ok(perf.size > 0);
  await dropFile(page, threadsData);
  await page.getByTestId('marker-strip').first().waitFor({ timeout: 30_000 });
  assert.deepEqual(sorted(await stripCounts()), sorted(perf));

  const legend = page.locator('[data-testid=marker-legend-item][data-event="sched:sched_switch"]');
  const total = [...perf.values()].reduce((a, b) => a + b, 0);
  assert.equal(Number(await legend.getAttribute('data-count')), total);
  await page.screenshot({ path: join(shots, 'threads-markers.png') });

  await legend.click();
  assert.equal((await stripCounts()).size, 0, 'hidden: no marker drawn');
  await legend.click();
  assert.deepEqual(sorted(await stripCounts()), sorted(perf));
  assert.deepEqual(pageErrors, []);
});

test("sleepy: hovering a marker names its stack's leaf as perf script does; zoom shows fewer", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const perf = perfSwitchesByTid(sleepyData);
  // perf script's leaf symbols of the switches (first frame line after each sched_switch header).
  const text = spawnSync('perf', ['script', '-i', sleepyData, '-F', 'event,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const leaves = new Set(
    text
      .split(/\n\s*\n/)
      .filter((b) => /sched:sched_switch:/.test(b))
      .map((b) => /^\s+[0-9a-f]+\s+(\S+)/m.exec(b)?.[1]?.replace(/\+0x[0-9a-f]+$/, '') ?? ''),
  );

  await dropFile(page, sleepyData);
  await page.getByTestId('profile-tab').nth(1).waitFor();
  const strip = page.locator('[data-testid=marker-strip][data-thread-name=sleepy]');
  await strip.waitFor({ timeout: 30_000 });
  assert.deepEqual(sorted(await stripCounts()), sorted(perf));

  // Hover the strip from left to right until a marker's tooltip shows.
  await strip.scrollIntoViewIfNeeded();
  const box = (await strip.boundingBox())!;
  let found = false;
  for (let x = 2; x < box.width && !found; x += 2) {
    await page.mouse.move(box.x + x, box.y + box.height / 2);
    found = (await page.getByTestId('marker-tooltip').count()) > 0;
  }
  assert.ok(found, 'a tooltip shows over a marker');
  const tooltip = page.getByTestId('marker-tooltip');
  assert.match(await tooltip.innerText(), /sched:sched_switch/);
  const leaf = (await page.getByTestId('marker-tooltip-leaf').innerText()).trim();
  assert.ok(leaves.has(leaf), `leaf ${leaf} is one perf script prints: ${[...leaves].join(', ')}`);
  await page.screenshot({ path: join(shots, 'sleepy-tooltip.png') });
  await page.mouse.down();
  await page.mouse.up();

  // Zoom to the middle third: fewer markers drawn; Show all restores them.
  const tid = (await strip.getAttribute('data-tid'))!;
  const all = (await stripCounts()).get(tid) ?? 0;
  const track = page.locator('[data-testid=thread-track][data-thread-name=sleepy] .timeline__graph');
  const trackBox = (await track.boundingBox())!;
  await page.mouse.move(trackBox.x + trackBox.width / 3, trackBox.y + 10);
  await page.mouse.down();
  await page.mouse.move(trackBox.x + trackBox.width / 2, trackBox.y + 10, { steps: 4 });
  await page.mouse.move(trackBox.x + (2 * trackBox.width) / 3, trackBox.y + 10, { steps: 4 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Zoom to selection' }).click();
  await page.waitForFunction((before) => {
    const s = document.querySelector('[data-testid=marker-strip][data-thread-name=sleepy]');
    return s !== null && Number(s.getAttribute('data-marker-count')) < before;
  }, all);
  const zoomed = (await stripCounts()).get(tid) ?? 0;
  assert.ok(zoomed > 0 && zoomed < all, `${zoomed} of ${all} markers in the zoomed window`);
  await page.screenshot({ path: join(shots, 'sleepy-zoomed.png') });
  await page.getByRole('button', { name: 'Show all' }).click();
  await page.waitForFunction((before) => {
    const s = document.querySelector('[data-testid=marker-strip][data-thread-name=sleepy]');
    return s !== null && Number(s.getAttribute('data-marker-count')) === before;
  }, all);
  assert.deepEqual(pageErrors, []);
});
