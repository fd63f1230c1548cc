/**
 * A strace timeline in browser mode: `strace -f -T -tt` of the
 * syscall_threads fixture, recorded now and dropped on the window. Each
 * pid's marker strip draws as many markers as the file has signal and exit
 * lines for that pid (counted by awk), and the window names the format.
 * Screenshots: test-artifacts/strace/*.png.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, dropFile, launchChromium, openAppPage, startServe, type ServeProcess } from '../helpers/browser';
import { compileFixture } from '../helpers/perf';

let serve: ServeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let traceFile = '';
const pageErrors: string[] = [];
const shots = join(artifactsDir, 'strace');

before(async () => {
  const binary = await compileFixture('syscall_threads');
  mkdirSync(shots, { recursive: true });
  traceFile = join(shots, 'syscall_threads-e2e.strace.txt');
  execFileSync('strace', ['-f', '-T', '-tt', '-o', traceFile, '--', `./${basename(binary)}`, '100'], { cwd: dirname(binary), stdio: 'ignore' });
  serve = await startServe();
  browser = await launchChromium();
  page = await openAppPage(browser, serve.url, pageErrors, { width: 1400, height: 860 });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

/** pid -> its "--- signal ---" and "+++ exit +++" lines, counted by awk. */
function markerLinesByPid(): Map<string, number> {
  const out = execFileSync('awk', ['$3 == "---" || $3 == "+++" { n[$1]++ } END { for (p in n) print p, n[p] }', traceFile], { encoding: 'utf8' });
  return new Map(out.trim().split('\n').map((line) => [line.split(' ')[0], Number(line.split(' ')[1])] as const));
}

test('dropped strace output opens: one marker strip per pid with its signals and exits', async () => {
  const expected = markerLinesByPid();
  assert.ok(expected.size >= 2, 'both pids exit');
  await dropFile(page, traceFile);
  await page.getByTestId('marker-strip').first().waitFor({ timeout: 30_000 });
  const pairs = await page.$$eval('[data-testid=marker-strip]', (strips) =>
    strips.map((s) => [s.getAttribute('data-tid') ?? '', Number(s.getAttribute('data-marker-count'))] as const),
  );
  const drawn = new Map(pairs.filter(([, n]) => n > 0));
  assert.deepEqual([...drawn].sort(), [...expected].sort());
  assert.match(await page.locator('body').innerText(), /strace/);
  await page.screenshot({ path: join(shots, 'strace-timeline.png') });
  assert.deepEqual(pageErrors, []);
});

test('the call tree of a trace shows times with their own units, and its header claims none', async () => {
  await page.getByTestId('view-call-tree').click();
  const header = page.getByTestId('call-tree').locator('.call-tree__header span');
  await header.first().waitFor({ timeout: 30_000 });
  assert.deepEqual(await header.allInnerTexts(), ['Function', 'Self', 'Self %', 'Total', 'Total %']);
  const total = await page.getByTestId('call-tree').getByTestId('call-tree-row').first().locator('.numeric').nth(2).innerText();
  assert.match(total, /^\d[\d.,]* (ns|µs|ms|s)$/, `a duration with its unit: ${total}`);
  await page.screenshot({ path: join(shots, 'strace-call-tree.png') });
});
