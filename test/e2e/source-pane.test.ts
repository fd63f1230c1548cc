/**
 * The source pane in browser mode, on cpu_hot compiled and recorded now:
 *
 * - the gutter's hottest line is work_40's loop line, which is perf's hottest
 *   srcline (`perf report --sort srcline`), and every costed line on screen
 *   shows perf's sample count for that line as its self;
 * - the assembly view's hottest instruction lies in the addresses that
 *   objdump's line table (`--dwarf=decodedline`) gives the loop line, and a
 *   jump target is clickable;
 * - a recording whose source folder was moved shows "source not found";
 *   a remap typed in the pane brings the text back.
 *
 * The recordings are dropped into the page, so they reach the host as uploads
 * (openBytes): the upload rule (source-looking names only) lets their
 * sources through.
 *
 * Screenshots: test-artifacts/source-pane/{source,assembly,missing,remapped,dhat-missing,dhat}.png.
 */

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, dropFile, launchChromium, screenshot, startServe, type ServeProcess } from '../helpers/browser';
import { runTool } from '../helpers/compile';
import { compileAllocSites, recordDhat } from '../helpers/memory-tools';
import { compileFixture, FIXTURE_CFLAGS, FIXTURE_PROGRAMS_DIR, perfReportBySrcline, recordPerf, type PerfReportBySrcline } from '../helpers/perf';

const workDir = join(artifactsDir, 'source-pane');
const hotDir = join(workDir, 'hot');
const builtAt = join(workDir, 'built-here');
const movedTo = join(workDir, 'moved-here');
const hotData = join(workDir, 'cpu_hot.perf.data');
const movedData = join(workDir, 'cpu_hot-moved.perf.data');

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let perf: PerfReportBySrcline;
const pageErrors: string[] = [];

const ready = () => page.locator('[data-testid=profile-view][data-analysis=ready]').waitFor({ timeout: 60_000 });

/** The 1-based line of cpu_hot.c holding `text`. */
function fixtureLine(text: string): number {
  const lines = readFileSync(join(FIXTURE_PROGRAMS_DIR, 'cpu_hot.c'), 'utf8').split('\n');
  return lines.findIndex((line) => line.includes(text)) + 1;
}

async function build(dir: string, out: string, rounds: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURE_PROGRAMS_DIR, 'cpu_hot.c'), join(dir, 'cpu_hot.c'));
  runTool('gcc', [...FIXTURE_CFLAGS, '-o', join(dir, 'cpu_hot'), join(dir, 'cpu_hot.c')]);
  await recordPerf(join(dir, 'cpu_hot'), [rounds], { callGraph: 'fp', out });
}

/** The gutter as Monaco draws it: per visible line, the number and its self count (null for lines without cost). */
async function gutter(): Promise<{ line: number; self: number | null; text: string }[]> {
  const texts = await page.$$eval('[data-testid=source-editor] .margin-view-overlays .line-numbers', (cells) => cells.map((cell) => cell.textContent ?? ''));
  return texts.map((text) => {
    const costed = /^\s*([\d,]+)\s+\S+\s+([\d,]+)\s+\S+\s+(\d+)\s*$/.exec(text);
    if (costed) return { line: Number(costed[3]), self: Number(costed[1].replace(/,/g, '')), text };
    return { line: Number(text.trim()), self: null, text };
  });
}

before(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await build(hotDir, hotData, '25');
  await build(builtAt, movedData, '5');
  renameSync(builtAt, movedTo);
  perf = await perfReportBySrcline(hotData);

  // Remaps typed in the window are remembered under the settings folder: keep the test's out of the user's.
  process.env.XDG_CONFIG_HOME = join(workDir, 'config');
  serve = await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(serve.url);
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
  await dropFile(page, hotData);
  await page.getByTestId('function-row').first().waitFor({ timeout: 30_000 });
  await ready();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

test('the gutter shows work_40’s loop line hottest, with perf report’s per-line sample counts', async () => {
  const loopLine = fixtureLine('i < 8 * UNIT');
  const perfHot = perf.lines.filter((l) => l.file === 'cpu_hot.c');
  assert.equal(perfHot[0].line, loopLine, 'perf’s hottest srcline is the loop line');

  await page.getByTestId('source-toggle').click();
  const file = page.locator('[data-testid=source-file][data-costs=ready]');
  await file.waitFor({ timeout: 30_000 });
  assert.equal(await file.getAttribute('data-path'), join(hotDir, 'cpu_hot.c'));
  await page.locator('[data-testid=source-editor] .margin-view-overlays .line-numbers').first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=source-editor] .line-numbers')].some((cell) => /%/.test(cell.textContent ?? '')));
  await page.waitForTimeout(300); // the reveal scrolls after the costs arrive

  const cells = await gutter();
  const costed = cells.filter((c) => c.self !== null);
  assert.ok(costed.length >= 2, `costed lines on screen: ${cells.map((c) => c.text).join(' | ')}`);
  const hottest = costed.reduce((a, b) => (b.self! > a.self! ? b : a));
  assert.equal(hottest.line, loopLine, 'the gutter’s hottest line is work_40’s loop');
  for (const cell of costed) {
    const perfLine = perfHot.find((l) => l.line === cell.line);
    assert.equal(cell.self, perfLine?.samples ?? 0, `self of line ${cell.line} is perf’s count`);
  }
  // The heat colour and the overview ruler mark the hot line.
  assert.ok((await page.locator('[data-testid=source-editor] .heat-line--7').count()) >= 1, 'the hottest line is coloured');
  assert.equal(await file.getAttribute('data-hottest-line'), String(loopLine));
  const loopText = await page.locator('[data-testid=source-editor] .view-lines').innerText();
  // Monaco writes spaces as no-break spaces, which \s matches.
  assert.match(loopText, /i\s<\s8\s\*\sUNIT/, 'the hot line is on screen');
  await screenshot(page, 'source-pane/source');

  // Hovering the line lists the functions on it.
  const hotLine = page.locator('[data-testid=source-editor] .view-line', { hasText: /8\s\*\sUNIT/ }).first();
  const box = await hotLine.boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + 200, box.y + box.height / 2);
  await page.mouse.move(box.x + 210, box.y + box.height / 2);
  const hover = page.locator('.monaco-hover:visible', { hasText: 'Functions on this line' });
  await hover.waitFor({ timeout: 10_000 });
  assert.match(await hover.innerText(), /work_40: self [\d,]+ \(\d+\.\d%\), total/);
  await screenshot(page, 'source-pane/hover');
  await page.mouse.move(5, 5);

  // A range over part of the run: the gutter counts only its samples (less than the whole run's).
  const ruler = await page.locator('.timeline__ruler').boundingBox();
  const track = await page.getByTestId('thread-track').first().boundingBox();
  assert.ok(ruler && track);
  const y = track.y + track.height / 2;
  await page.mouse.move(ruler.x + ruler.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(ruler.x + ruler.width * 0.4, y, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId('range-shade').waitFor();
  await ready();
  await page.waitForFunction(
    ([line, before]) =>
      [...document.querySelectorAll('[data-testid=source-editor] .line-numbers')].some((cell) => {
        const match = new RegExp(`^\\s*([\\d,]+)\\s.*\\s${line}\\s*$`).exec(cell.textContent ?? '');
        return match !== null && Number(match[1].replace(/,/g, '')) < before;
      }),
    [loopLine, hottest.self!],
  );
  const ranged = (await gutter()).find((c) => c.line === loopLine);
  assert.ok(ranged?.self !== null && ranged!.self! > 0 && ranged!.self! < hottest.self!, `range: ${ranged?.text}`);
  await screenshot(page, 'source-pane/source-range');
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await ready();

  // Selecting another function in the table opens the same file at its hottest line.
  await page.locator('[data-testid=function-row]', { hasText: 'work_10' }).first().click();
  await page.waitForFunction(
    (line) => [...document.querySelectorAll('[data-testid=source-editor] .line-numbers')].some((cell) => new RegExp(`\\s${line}\\s*$`).test(cell.textContent ?? '')),
    fixtureLine('i < 2 * UNIT'),
  );
});

test('the assembly view’s hottest instruction is inside the hot loop’s addresses; jumps are clickable', async () => {
  await page.locator('[data-testid=function-row]', { hasText: 'work_40' }).first().click();
  await page.getByTestId('assembly-tab').click();
  const assembly = page.getByTestId('assembly');
  await assembly.waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('assembly-tab').innerText(), /work_40/);
  const hottestAddress = Number(await assembly.getAttribute('data-hottest-address'));
  assert.ok(hottestAddress > 0, 'an instruction has self cost');

  // objdump's own line table: the address ranges of each line of cpu_hot.c.
  const decoded = runTool('objdump', ['--dwarf=decodedline', join(hotDir, 'cpu_hot')]);
  const rows = decoded
    .split('\n')
    .map((row) => /^cpu_hot\.c\s+(\d+)\s+(0x[0-9a-f]+)/.exec(row))
    .filter((m) => m !== null)
    .map((m) => ({ line: Number(m[1]), address: parseInt(m[2], 16) }))
    .sort((a, b) => a.address - b.address);
  const at = rows.filter((r) => r.address <= hottestAddress).pop();
  assert.equal(at?.line, fixtureLine('i < 8 * UNIT'), `0x${hottestAddress.toString(16)} is on the loop line in objdump’s line table`);

  const jump = page.getByTestId('assembly-jump').first();
  await jump.click();
  assert.equal(await page.locator('.assembly__insn--target').count(), 1, 'the jump target row is marked');
  await page.locator('.assembly__insn--hottest').scrollIntoViewIfNeeded();
  await screenshot(page, 'source-pane/assembly');

  // The dark theme: Monaco follows the system's scheme with the window.
  await page.getByTestId('source-tab').first().click();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('[data-testid=source-editor] .monaco-editor.vs-dark').waitFor({ timeout: 10_000 });
  await screenshot(page, 'source-pane/source-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('[data-testid=source-editor] .monaco-editor.vs').waitFor({ timeout: 10_000 });
});

test('a moved source folder: "source not found", then a remap typed in the pane shows the text', async () => {
  await dropFile(page, movedData);
  await page.locator('[data-testid=profile-tab]').nth(1).waitFor({ timeout: 30_000 });
  await ready();
  await page.getByTestId('source-toggle').click();
  const missing = page.getByTestId('source-missing');
  await missing.waitFor({ timeout: 30_000 });
  assert.match(await missing.innerText(), new RegExp(`Source not found: ${join(builtAt, 'cpu_hot.c').replace(/[.]/g, '\\.')}`));
  await screenshot(page, 'source-pane/missing');

  await page.getByTestId('remap-add').click();
  assert.equal(await page.getByTestId('remap-from').inputValue(), builtAt, 'the new row starts from the missing file’s folder');
  await page.getByTestId('remap-to').fill(join(workDir, 'no-such-folder'));
  await page.getByTestId('remap-save').click();
  await page.getByTestId('remap-error').waitFor();
  assert.match(await page.getByTestId('remap-error').innerText(), /no such folder/);

  await page.getByTestId('remap-to').fill(movedTo);
  await page.getByTestId('remap-save').click();
  const file = page.locator('[data-testid=source-file]');
  await file.waitFor({ timeout: 30_000 });
  assert.equal(await file.getAttribute('data-read-from'), join(movedTo, 'cpu_hot.c'));
  await page.waitForFunction(() => /i\s<\s8\s\*\sUNIT/.test(document.querySelector('[data-testid=source-editor] .view-lines')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await screenshot(page, 'source-pane/remapped');
});

test('DHAT: the pane shows bytes per line under the memory metric; a `.` remap finds its bare file names', async () => {
  const { file: dhatFile } = recordDhat(await compileAllocSites(), ['2000']);
  await dropFile(page, dhatFile);
  await page.locator('[data-testid=profile-tab]').nth(2).waitFor({ timeout: 30_000 });
  await ready();
  await page.getByTestId('source-toggle').click();
  const missing = page.getByTestId('source-missing');
  await missing.waitFor({ timeout: 30_000 });
  assert.match(await missing.innerText(), /Source not found: alloc_sites\.c/);
  // DHAT names no binaries: remaps cannot be remembered by build-id, and the editor says so.
  assert.match(await page.getByTestId('remap-remembered').innerText(), /not remembered: this profile names no binary/);
  await screenshot(page, 'source-pane/dhat-missing');
  await page.getByTestId('remap-add').click();
  assert.equal(await page.getByTestId('remap-from').inputValue(), '.', 'a bare file name suggests the `.` prefix');
  // A user who empties the old prefix means the same (bare names), not an error about a too-short string.
  await page.getByTestId('remap-from').fill('');
  await page.getByTestId('remap-to').fill(FIXTURE_PROGRAMS_DIR);
  await page.getByTestId('remap-save').click();
  await page.locator('[data-testid=source-file][data-costs=ready]').waitFor({ timeout: 30_000 });
  const byteLabel = /\d(\.\d+)?\s(B|KiB|MiB)\s+\S+%/;
  await page.waitForFunction(
    (source) => [...document.querySelectorAll('[data-testid=source-editor] .line-numbers')].some((cell) => new RegExp(source).test(cell.textContent ?? '')),
    byteLabel.source,
  );
  await screenshot(page, 'source-pane/dhat');
  await page.getByTestId('memory-metric').selectOption('totalBlocks');
  await ready();
  await page.waitForFunction(
    (source) => ![...document.querySelectorAll('[data-testid=source-editor] .line-numbers')].some((cell) => new RegExp(source).test(cell.textContent ?? '')),
    byteLabel.source,
  );
  const cells = await gutter();
  assert.ok(cells.some((c) => c.self !== null), `block counts in the gutter: ${cells.map((c) => c.text).join(' | ')}`);
});

test('a function running lines of another file points to it; that file opens on perf report\'s hottest srcline', async () => {
  const data = await recordPerf(await compileFixture('included_body'), ['300'], { frequency: 2000, out: join(workDir, 'included_body.perf.data') });
  const perfInc = (await perfReportBySrcline(data)).lines.filter((l) => l.file === 'included_body.inc');
  assert.ok(perfInc.length > 0, 'perf puts lines in the included file');
  await dropFile(page, data);
  await page.locator('[data-testid=profile-tab]').nth(3).waitFor({ timeout: 30_000 });
  await ready();
  await page.locator('[data-testid=function-row]', { hasText: 'mix_all' }).first().click();
  await page.getByTestId('source-toggle').click();
  // mix_all's own file opens first; its loop body is elsewhere, and the pane says where.
  const file = page.locator('[data-testid=source-file][data-costs=ready]');
  await file.waitFor({ timeout: 30_000 });
  assert.equal(basename((await file.getAttribute('data-path')) ?? ''), 'included_body.c');
  const others = page.getByTestId('source-other-files');
  assert.match(await others.innerText(), /mix_all also runs lines of\s+included_body\.inc/);
  await screenshot(page, 'source-pane/other-files');
  await others.getByRole('button', { name: 'included_body.inc' }).click();
  await page.waitForFunction(() => /included_body\.inc$/.test(document.querySelector('[data-testid=source-file][data-costs=ready]')?.getAttribute('data-path') ?? ''), undefined, { timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=source-file]').getAttribute('data-hottest-line'), String(perfInc[0].line), 'the .inc file\'s hottest line is perf\'s');
  await screenshot(page, 'source-pane/other-file-shown');
});

test('no page errors (Monaco runs under the CSP)', () => {
  assert.deepEqual(pageErrors, []);
});
