/**
 * Recording from the window, in Chromium against `heatline serve`, with the
 * real tools (perf, strace), as a person would:
 * - Record… launches cpu_hot under perf; the result opens by itself and its
 *   hottest function is the one `perf report` names for that same file;
 * - system calls (strace -c) and counters (perf stat --repeat) show their
 *   tables, equal to what the tools wrote;
 * - the attach dialog lists until_killed's PID (refreshed, filterable,
 *   sortable, with the permission per row); attaching for 2 s gives spin_hot;
 * - Stop in the middle of a run gives a file perf report reads, and it opens;
 * - the terminal shows the program's output, passes typed input to its
 *   stdin (echo_stdin) and resizes the pty (stty size before and after);
 * - heaptrack on alloc_sites opens as an allocation profile, with the site
 *   heaptrack_print counts most allocations for;
 * - reloading the page (closing its window) ends its running recording;
 * - the sessions list keeps every recording across a restart of the host,
 *   and re-opens one;
 * - `heatline serve` without --record refuses the recording calls with one
 *   line, and Record… and the recordings list show that line instead.
 * Screenshots: test-artifacts/record/{record-dialog,attach-dialog,live-session,recording-off}.png
 */

import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, beforeEach, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parsePerfStatCsv } from '../../src-main/record/outputs/perf-stat';
import { parseStraceSummary } from '../../src-main/record/outputs/strace';
import { launchChromium, openAppPage, screenshot } from '../helpers/browser';
import { heaptrackPrintReport } from '../helpers/memory-tools';
import { compileFixture, perfReportBySymbol } from '../helpers/perf';
import { RECORDING_OFF_IN_BROWSER } from '../../src-main/host/record-handlers';
import { WS_RELATIVE_PATH } from '../../src-shared/ws-protocol';
import { connect } from '../helpers/host-socket';
import { recordingsDir, startFixture, startServeFor } from '../helpers/record';

let serve: Awaited<ReturnType<typeof startServeFor>>;
let browser: Browser;
let page: Page;
let dataDir: string;
const binaries: Record<string, string> = {};
const pageErrors: string[] = [];

before(async () => {
  for (const name of ['cpu_hot', 'until_killed', 'echo_stdin', 'alloc_sites']) binaries[name] = await compileFixture(name);
  // One folder per run: another checkout's test run may be recording at the same time.
  dataDir = recordingsDir(`e2e-data-${process.pid}`);
  serve = await startServeFor({ dataDir, record: true });
  browser = await launchChromium();
  page = await openAppPage(browser, serve.url, pageErrors, { width: 1400, height: 900 });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// A test that failed half-way must not leave its dialog over the next one.
beforeEach(async () => {
  for (let i = 0; i < 2 && (await page.locator('.record-backdrop').count()) > 0; i++) await page.keyboard.press('Escape');
  const close = page.getByTestId('record-session-close');
  if (await close.count()) await close.click();
});

/** Opens Record…, fills a launch of `argv` with `instrument`, and leaves the dialog open. */
async function fillLaunch(commandLine: string, instrument: string): Promise<void> {
  await page.getByRole('banner').getByTestId('record-button').click();
  const dialog = page.getByTestId('record-dialog');
  await dialog.waitFor();
  await page.getByTestId('target-launch').check();
  await page.getByTestId('record-command').fill(commandLine);
  await page.getByTestId(`instrument-${instrument}`).locator('input').check();
  await page.getByTestId('duration-until-stop').check();
}

async function startAllowed(how: 'click' | 'enter' = 'click'): Promise<void> {
  await page.locator('[data-testid="privilege-decision"][data-kind="allowed"]').waitFor({ timeout: 15_000 });
  if (how === 'click') await page.getByTestId('record-start').click();
  else await page.getByTestId('record-command').press('Enter');
  await page.getByTestId('record-dialog').waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByTestId('record-session').waitFor();
}

/** The finished session's result path, as the panel shows it. */
async function resultPath(timeout = 60_000): Promise<string> {
  const failure = page.getByTestId('record-failure');
  const path = page.getByTestId('record-result-path');
  await Promise.race([path.waitFor({ timeout }), failure.waitFor({ timeout })]);
  if (await failure.isVisible()) assert.fail(`recording failed: ${await failure.innerText()}\n${await terminalText()}`);
  const file = (await path.locator('code').innerText()).trim();
  if ((await path.innerText()).startsWith('Opened')) {
    // The new tab is the shown one once the window's title names it.
    const name = file.split('/').pop()!;
    await page.waitForFunction((n) => document.title.startsWith(n), name, { timeout: 30_000 });
  }
  return file;
}

async function terminalText(): Promise<string> {
  return page.getByTestId('record-terminal').locator('.xterm-rows').innerText();
}

async function waitForTerminal(pattern: RegExp, timeout = 15_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await terminalText();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`terminal never showed ${pattern}; it shows:\n${text}`);
    await page.waitForTimeout(100);
  }
}

async function closeSession(): Promise<void> {
  await page.getByTestId('record-session-close').click();
  await page.getByTestId('record-session').waitFor({ state: 'detached' });
}

/** The top row of the function table of the newest tab, once the analysis has drawn it. */
async function topFunction(): Promise<string> {
  const row = page.getByTestId('function-row').first();
  await row.waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="profile-view"][data-analysis="ready"]').waitFor({ timeout: 30_000 }).catch(() => undefined);
  return row.innerText();
}

test('Record… launches cpu_hot under perf; the result opens with the function perf report puts first', async () => {
  await fillLaunch(`${binaries.cpu_hot} 20`, 'cpu');
  await page.getByTestId('callgraph-fp').check();
  await page.getByTestId('record-frequency').fill('999');
  await page.locator('[data-testid="privilege-decision"][data-kind="allowed"]').waitFor({ timeout: 15_000 });
  await screenshot(page, 'record/record-dialog');
  await startAllowed();
  const path = await resultPath();
  assert.match(path, /\.perf\.data$/);
  assert.ok(path.startsWith(dataDir), `written under the data folder: ${path}`);
  const perf = await perfReportBySymbol(path);
  assert.match(await topFunction(), new RegExp(`\\b${perf.functions[0].name}\\b`));
  assert.match(perf.functions[0].name, /^work_40$/, 'cpu_hot spends most in work_40');
  await closeSession();
});

test('missing tools are named with what to install, not an error later', async () => {
  await page.getByRole('banner').getByTestId('record-button').click();
  const hints = await page.getByTestId('install-hint').allInnerTexts();
  // Every instrument without its tool says so; the ones installed here have no hint.
  for (const hint of hints) assert.match(hint, /^Not installed: .+/);
  const pyspy = page.getByTestId('instrument-pyspy');
  const hasPySpy = !(await pyspy.getByTestId('install-hint').count());
  assert.equal(await pyspy.locator('input').isDisabled(), !hasPySpy);
  await page.keyboard.press('Escape');
  await page.getByTestId('record-dialog').waitFor({ state: 'detached' });
});

test('system calls (strace -c) show the table strace wrote, getppid first for until_killed', async () => {
  await fillLaunch(`${binaries.until_killed} 1`, 'syscalls');
  await page.getByTestId('syscalls-summary').check();
  await startAllowed();
  const path = await resultPath();
  const table = page.locator('[data-testid="record-result-table"][data-kind="syscalls"]');
  await table.waitFor();
  const fromStrace = parseStraceSummary(await readFile(path, 'utf8'));
  assert.equal(fromStrace[0].syscall, 'getppid');
  const firstRow = (await table.getByTestId('result-row').first().innerText()).split('\t');
  assert.equal(firstRow[0], 'getppid');
  assert.equal(Number(firstRow[1]), fromStrace[0].calls);
  assert.equal(await table.getByTestId('result-row').count(), fromStrace.length);
  await closeSession();
});

test('counters (perf stat, 2 runs) show each event with its variance, as perf wrote them', async () => {
  await fillLaunch(`${binaries.cpu_hot} 5`, 'counters');
  await page.getByTestId('counter-events').fill('task-clock,page-faults');
  await page.getByTestId('counter-repeat').fill('2');
  await startAllowed('enter');
  const path = await resultPath();
  const table = page.locator('[data-testid="record-result-table"][data-kind="counters"]');
  await table.waitFor();
  const fromPerf = parsePerfStatCsv(await readFile(path, 'utf8'));
  assert.deepEqual(fromPerf.map((r) => r.event), ['task-clock', 'page-faults']);
  const rows = await table.getByTestId('result-row').allInnerTexts();
  assert.equal(rows.length, 2);
  for (const [i, row] of rows.entries()) {
    const cells = row.split('\t');
    assert.equal(cells[0], fromPerf[i].event);
    assert.equal(Number(cells[1].replace(/,/g, '')), Math.round(fromPerf[i].value! * 100) / 100);
    assert.ok(fromPerf[i].variancePercent !== null, 'perf stat --repeat reports a variance');
    assert.equal(cells[3], `${fromPerf[i].variancePercent!.toFixed(2)} %`);
  }
  await closeSession();
});

test('the attach dialog lists until_killed (filter, sort, permission); attaching for 2 s finds spin_hot', async () => {
  const fixture = startFixture(binaries.until_killed, ['40']);
  try {
    await fixture.ready;
    const pid = fixture.child.pid!;
    await page.getByRole('banner').getByTestId('record-button').click();
    await page.getByTestId('target-attach').check();
    await page.getByTestId('instrument-cpu').locator('input').check();
    await page.getByTestId('pick-process').click();
    const dialog = page.getByTestId('attach-dialog');
    await dialog.waitFor();
    const row = page.locator(`[data-testid="process-row"][data-pid="${pid}"]`);
    await row.waitFor({ timeout: 10_000 });
    // Refreshed every second: after two refreshes the busy fixture shows CPU time.
    await page.waitForFunction(
      (p) => Number(document.querySelector(`[data-testid="process-row"][data-pid="${p}"] td:nth-child(4)`)?.textContent ?? 0) > 20,
      pid,
      { timeout: 10_000 },
    );
    assert.equal(await row.getAttribute('data-permission'), 'allowed');
    // Sorted by a column: one reading of the rows is in that column's order (the list refreshes every second).
    const column = (n: number) => page.getByTestId('process-row').evaluateAll((rows, i) => rows.map((r) => (r.children[i] as HTMLElement).innerText), n);
    await page.getByTestId('sort-cpuPercent').click();
    const cpu = (await column(3)).map(Number);
    assert.deepEqual(cpu, [...cpu].sort((a, b) => b - a), 'busiest first');
    await page.getByTestId('sort-pid').click();
    const pidsDown = (await column(0)).map(Number);
    assert.deepEqual(pidsDown, [...pidsDown].sort((a, b) => b - a), 'numbers start highest first');
    await page.getByTestId('sort-pid').click();
    const pidsUp = (await column(0)).map(Number);
    assert.deepEqual(pidsUp, [...pidsUp].sort((a, b) => a - b), 'a second click flips the order');
    await page.getByTestId('sort-name').click();
    const names = await column(2);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)), 'names A to Z');
    await page.getByTestId('sort-cpuPercent').click();
    await screenshot(page, 'record/attach-dialog');
    await page.getByTestId('process-filter').fill('until_killed');
    const filtered = await page.getByTestId('process-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-pid'))));
    assert.ok(filtered.includes(pid) && filtered.length <= 3, `filtered rows: ${filtered.join(', ')}`);
    await row.click();
    await page.getByTestId('attach-pick').click();
    await page.getByTestId('record-dialog').waitFor();
    assert.equal(await page.getByTestId('record-pid').inputValue(), String(pid));
    await page.getByTestId('duration-seconds-input').fill('2');
    await startAllowed();
    const path = await resultPath(30_000);
    const perf = await perfReportBySymbol(path);
    assert.equal(perf.functions[0].name, 'spin_hot');
    assert.match(await topFunction(), /\bspin_hot\b/);
    assert.equal(fixture.child.exitCode, null, 'the attached process keeps running after the recording');
    await closeSession();
  } finally {
    fixture.stop();
  }
});

test('Stop in the middle of a run: the status line counts, Stop ends it, and the file opens', async () => {
  await fillLaunch(`${binaries.until_killed} 60`, 'cpu');
  await startAllowed();
  await page.locator('[data-testid="record-session"][data-state="running"]').waitFor();
  await page.waitForFunction(() => {
    const elapsed = document.querySelector('[data-testid="record-elapsed"]')?.textContent ?? '';
    const bytes = document.querySelector('[data-testid="record-bytes"]')?.textContent ?? '';
    return /0:0[2-9]/.test(elapsed) && /[1-9]/.test(bytes);
  }, undefined, { timeout: 20_000 });
  await waitForTerminal(/until_killed ready pid=\d+/);
  await screenshot(page, 'record/live-session');
  // Hidden, it keeps recording; the recordings list brings the same terminal back.
  await page.getByTestId('record-session-hide').click();
  await page.getByTestId('record-session').waitFor({ state: 'detached' });
  await page.getByTestId('recordings-button').filter({ hasText: '1 running' }).click();
  await page.getByTestId('recordings-list').getByRole('button', { name: /until_killed 60 \(running: show\)/ }).click();
  await waitForTerminal(/until_killed ready pid=\d+/);
  await page.getByTestId('recordings-button').click();
  await page.getByTestId('record-stop').click();
  const path = await resultPath(40_000);
  const perf = await perfReportBySymbol(path);
  assert.equal(perf.functions[0].name, 'spin_hot');
  assert.match(await topFunction(), /\bspin_hot\b/);
  const elapsed = await page.getByTestId('record-elapsed').innerText();
  assert.match(elapsed, /^0:(0[2-9]|[1-5]\d)/, `stopped well before the program's 60 s: ${elapsed}`);
  await closeSession();
});

test('the terminal shows the output, passes typed input to stdin, and resizes the pty', async () => {
  // Under strace, not perf: echo_stdin mostly waits for input, and a CPU recording of it may hold no sample at
  // all, which opens as an error ("no samples"), not a tab.
  await fillLaunch(`${binaries.echo_stdin} 20`, 'syscalls');
  await startAllowed();
  await waitForTerminal(/echo_stdin ready/);
  await page.getByTestId('record-terminal').click();
  await page.keyboard.type('hello heatline');
  await page.keyboard.press('Enter');
  await waitForTerminal(/echo_stdin got: hello heatline/);
  await page.keyboard.type('quit');
  await page.keyboard.press('Enter');
  // The program ends, so the recording ends by itself and opens.
  await resultPath(30_000);
  await waitForTerminal(/echo_stdin bye/);
  await closeSession();

  // stty size reads the pty's size: once as laid out, once after the window narrows.
  await fillLaunch(`/bin/sh -c 'read a; stty size; read b; stty size'`, 'syscalls');
  await startAllowed();
  await page.waitForTimeout(500);
  await page.getByTestId('record-terminal').click();
  await page.keyboard.press('Enter');
  const first = await waitForTerminal(/^\d+ \d+$/m);
  const [rows1, cols1] = first.match(/^(\d+) (\d+)$/m)!.slice(1).map(Number);
  await page.setViewportSize({ width: 900, height: 900 });
  await page.waitForTimeout(600);
  await page.getByTestId('record-terminal').click();
  await page.keyboard.press('Enter');
  const second = await waitForTerminal(/^\d+ \d+$[\s\S]*^\d+ \d+$/m);
  const sizes = [...second.matchAll(/^(\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(sizes[0][0], rows1);
  assert.ok(cols1 > 80, `the pty took the terminal's width: ${cols1} columns`);
  assert.ok(sizes[1][1] < cols1, `narrower window, fewer columns: ${cols1} -> ${sizes[1][1]}`);
  await resultPath(30_000);
  await closeSession();
  await page.setViewportSize({ width: 1400, height: 900 });
});

test('heaptrack through the window: the allocation profile opens, with the site heaptrack_print counts most allocations for', async () => {
  await fillLaunch(`${binaries.alloc_sites} 2000`, 'heaptrack');
  await startAllowed();
  const path = await resultPath(90_000);
  assert.match(path, /\.heaptrack\.(zst|gz)$/);
  const report = heaptrackPrintReport(path);
  const busiest = [...report.byFunction.entries()].sort((a, b) => b[1].allocations - a[1].allocations)[0][0];
  assert.equal(busiest, 'short_lived_site');
  await page.getByTestId('function-row').first().waitFor({ timeout: 30_000 });
  assert.ok((await page.getByTestId('function-row').filter({ hasText: busiest }).count()) > 0, `${busiest} is in the function table`);
  await closeSession();
});

test('closing the window ends its recordings: the profiler and the program are gone', async () => {
  await fillLaunch(`${binaries.until_killed} 60`, 'cpu');
  await startAllowed();
  const text = await waitForTerminal(/until_killed ready pid=\d+/);
  const pid = Number(/until_killed ready pid=(\d+)/.exec(text)![1]);
  assert.ok(existsSync(`/proc/${pid}`));
  await page.reload();
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!existsSync(`/proc/${pid}`), `until_killed (pid ${pid}) ended with its window`);
  await page.getByTestId('recordings-button').click();
  const newest = page.getByTestId('recording-row').first();
  await newest.filter({ hasText: 'Ended with its window' }).waitFor({ timeout: 10_000 });
  assert.match(await newest.innerText(), /until_killed 60/);
  await page.getByTestId('recordings-button').click();
});

test('the sessions list keeps every recording across a restart of the host, and re-opens one', async () => {
  await page.getByTestId('recordings-button').click();
  const list = page.getByTestId('recordings-list');
  await list.waitFor();
  const rows = list.getByTestId('recording-row');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="recording-row"]').length >= 7, undefined, { timeout: 10_000 });
  const before = await rows.allInnerTexts();
  assert.ok(before.some((text) => text.includes('until_killed') && text.includes('strace')), before.join('\n---\n'));

  await serve.stop();
  serve = await startServeFor({ dataDir, record: true });
  await page.goto(serve.url);
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
  await page.getByTestId('recordings-button').click();
  await list.waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="recording-row"]').length === n, before.length, { timeout: 10_000 });
  assert.deepEqual(await rows.allInnerTexts(), before);

  // The stopped until_killed recording opens again in a new tab, in this new host.
  // The oldest of the two: the one stopped with Stop (the newer one ended with its window).
  const cpuRow = rows.filter({ hasText: 'until_killed 60' }).last();
  await cpuRow.getByTestId('recording-reopen').click();
  await Promise.race([page.getByTestId('profile-tab').first().waitFor({ timeout: 30_000 }), page.getByTestId('error-banner').waitFor({ timeout: 30_000 })]);
  if (await page.getByTestId('error-banner').count()) assert.fail(await page.getByTestId('error-banner').innerText());
  assert.match(await topFunction(), /\bspin_hot\b/);
  await screenshot(page, 'record/recordings-list');
  assert.deepEqual(pageErrors, []);
});


test('serve without --record: the recording calls are refused with one line, and Record… and the list say why', async () => {
  await serve.stop();
  serve = await startServeFor({ dataDir, record: false });
  const origin = new URL(serve.url).origin;
  const socket = await connect(`${serve.url.replace('http:', 'ws:')}${WS_RELATIVE_PATH}`, { Origin: origin });
  try {
    const request = { target: { kind: 'launch', command: [binaries.until_killed, '60'] }, options: { instrument: 'cpu' } };
    assert.deepEqual(await socket.call('startRecording', { request }), { ok: false, error: RECORDING_OFF_IN_BROWSER });
    assert.deepEqual(await socket.call('listRecordings', {}), { ok: false, error: RECORDING_OFF_IN_BROWSER }, 'earlier recordings are not listed either');
  } finally {
    socket.close();
  }
  assert.equal(RECORDING_OFF_IN_BROWSER, 'recording is off in browser mode: start with `heatline serve --record`');

  await page.goto(serve.url);
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
  await page.getByRole('banner').getByTestId('record-button').click();
  const reason = page.getByTestId('recording-off').getByTestId('recording-off-reason');
  await reason.waitFor({ timeout: 10_000 });
  assert.equal(await reason.innerText(), RECORDING_OFF_IN_BROWSER);
  assert.equal(await page.getByTestId('record-dialog').count(), 0, 'the record dialog is not shown');
  await screenshot(page, 'record/recording-off');
  await page.keyboard.press('Escape');
  await page.getByTestId('recording-off').waitFor({ state: 'detached' });

  await page.getByTestId('recordings-button').click();
  const listReason = page.getByTestId('recordings-list').getByTestId('recording-off-reason');
  await listReason.waitFor({ timeout: 10_000 });
  assert.equal(await listReason.innerText(), RECORDING_OFF_IN_BROWSER);
  assert.equal(await page.getByTestId('recording-row').count(), 0);
  assert.deepEqual(pageErrors, []);
});
