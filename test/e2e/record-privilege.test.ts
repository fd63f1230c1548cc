/**
 * Privileges through the window, as a user who is not root: `heatline
 * serve` runs as a user created here (runuser), with sudo allowed for perf,
 * chown and sysctl and a password set here; Chromium drives the page.
 * - Attaching perf to a root-owned process: the attach dialog marks the row
 *   "needs admin", and the record dialog explains why before anything
 *   starts (the same sentence privilege.ts gives), offering sudo;
 * - the sudo path: the app's password field (a wrong password first, asked
 *   again, then the right one) answers sudo in the pty; the recording of
 *   the root process opens with spin_hot, and the password is in no file of
 *   the data folder, the user's home, the host's output or the page;
 * - lowering perf_event_paranoid (set to 3 here, restored afterwards): the
 *   dialog offers "lower to 2 until reboot"; one elevated sysctl through the
 *   same password field, then the same request is allowed and records as the
 *   user.
 * Screenshot: test-artifacts/record/privilege-prompt.png
 *
 * Needs root (useradd, sudoers.d, sysctl). CI: sudo, util-linux (runuser, setpriv).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../helpers/browser';
import { compileFixture, perfReportBySymbol } from '../helpers/perf';
import { recordingsDir, startFixture, startServeFor } from '../helpers/record';

const user = `hlui${process.pid % 100000}`;
const password = `Hl-ui-${randomBytes(9).toString('hex')}`;
const sudoersFile = `/etc/sudoers.d/heatline-e2e-${user}`;
const PARANOID = '/proc/sys/kernel/perf_event_paranoid';
let originalParanoid = '';
let uid = -1;
let dataDir: string;
let serve: Awaited<ReturnType<typeof startServeFor>>;
let browser: Browser;
let page: Page;
let rootFixture: ReturnType<typeof startFixture>;
const binaries: Record<string, string> = {};
const copies: string[] = [];
const skip = process.getuid?.() !== 0 ? 'creates a user and changes perf_event_paranoid: run as root' : false;

function sh(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.error}`);
  return result.stdout;
}

before(async () => {
  if (skip) return;
  if (spawnSync('sh', ['-c', 'command -v sudo']).status !== 0) sh('apt-get', ['install', '-y', '-q', 'sudo']);
  for (const name of ['cpu_hot', 'until_killed']) binaries[name] = await compileFixture(name);
  sh('useradd', ['--create-home', '--shell', '/bin/sh', user]);
  uid = Number(sh('id', ['-u', user]).trim());
  sh('chpasswd', [], `${user}:${password}\n`);
  const which = (tool: string) => sh('sh', ['-c', `command -v ${tool} || echo /usr/sbin/${tool}`]).trim().split('\n')[0];
  writeFileSync(sudoersFile, `${user} ALL=(root) ${which('perf')}, /usr/bin/chown, ${which('sysctl')}\n`, { mode: 0o440 });
  dataDir = recordingsDir(`privilege-e2e-${process.pid}`);
  chownSync(dataDir, uid, uid);
  chmodSync(dataDir, 0o700);
  // Debian's "no perf for users" level, so the dialog has something to lower; restored in after().
  originalParanoid = readFileSync(PARANOID, 'utf8').trim();
  writeFileSync(PARANOID, '3');
  rootFixture = startFixture(binaries.until_killed, ['90']);
  await rootFixture.ready;
  serve = await startServeFor({ dataDir, record: true, user, cwd: '/tmp' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(serve.url);
  await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
});

after(async () => {
  if (skip) return;
  if (originalParanoid !== '') writeFileSync(PARANOID, originalParanoid);
  await browser?.close();
  await serve?.stop();
  rootFixture?.stop();
  rmSync(sudoersFile, { force: true });
  for (const path of [dataDir, ...copies]) if (path) rmSync(path, { recursive: true, force: true });
  spawnSync('pkill', ['-KILL', '-u', user]);
  spawnSync('userdel', ['--remove', '--force', user]);
});

async function resultPath(timeout = 60_000): Promise<string> {
  const failure = page.getByTestId('record-failure');
  const path = page.getByTestId('record-result-path');
  await Promise.race([path.waitFor({ timeout }), failure.waitFor({ timeout })]);
  if (await failure.isVisible()) assert.fail(`recording failed: ${await failure.innerText()}`);
  const file = (await path.locator('code').innerText()).trim();
  await page.waitForFunction((n) => document.title.startsWith(n), file.split('/').pop()!, { timeout: 30_000 });
  return file;
}

async function typePassword(secret: string): Promise<void> {
  const field = page.getByTestId('password-field');
  await field.waitFor({ timeout: 20_000 });
  await field.fill(secret);
  await page.getByTestId('password-submit').click();
  // Cleared at once, whether sudo takes it or not.
  await page.waitForFunction(() => {
    const field = document.querySelector<HTMLInputElement>('[data-testid="password-field"]');
    return field === null || field.value === '';
  });
}

/** perf report refuses a file another user owns, as root too: it reads a root-owned copy. */
async function reportOf(path: string) {
  const copy = join(dataDir, '..', `${process.pid}-${path.split('/').pop()}`);
  copyFileSync(path, copy);
  copies.push(copy);
  return perfReportBySymbol(copy);
}

/** Every file under `dir` (following no links) that contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && statSync(path).size < 64 << 20 && readFileSync(path).includes(needle)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

test("attaching to root's process: the dialogs explain before starting, and sudo through the app's password field records it", { skip }, async () => {
  const pid = rootFixture.child.pid!;
  await page.getByRole('banner').getByTestId('record-button').click();
  await page.getByTestId('target-attach').check();
  await page.getByTestId('instrument-cpu').locator('input').check();
  await page.getByTestId('pick-process').click();
  const row = page.locator(`[data-testid="process-row"][data-pid="${pid}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await row.getAttribute('data-permission'), 'needs-elevation');
  assert.match(await row.innerText(), /needs admin/);
  await row.click();
  await page.getByTestId('attach-pick').click();
  await page.getByTestId('duration-seconds-input').fill('2');

  const decision = page.locator('[data-testid="privilege-decision"][data-kind="needs-elevation"]');
  await decision.waitFor({ timeout: 15_000 });
  // privilege.ts's sentences, both true here: another user's process, and perf_event_paranoid 3.
  assert.equal(
    await page.getByTestId('privilege-reason').innerText(),
    `Process ${pid} belongs to root; perf may watch only your own processes without administrator rights. perf_event_paranoid is 3 on this machine, which forbids perf to ordinary users.`,
  );
  // Lowering the setting would not help with another user's process, so it is not offered.
  assert.equal(await page.getByTestId('remedy-lower-paranoid-sudo').count(), 0);
  assert.ok(await page.getByTestId('record-start').isDisabled(), 'Start waits for a choice');
  await screenshot(page, 'record/privilege-prompt');

  await page.getByTestId('remedy-elevate-sudo').click();
  await page.getByTestId('record-session').waitFor();
  await typePassword(`${password}-wrong`);
  await page.getByTestId('password-prompt').filter({ hasText: 'Sorry, try again' }).waitFor({ timeout: 20_000 });
  await screenshot(page, 'record/sudo-password');
  await typePassword(password);
  const path = await resultPath();
  assert.equal(statSync(path).uid, uid, 'the file stays the user\'s');
  const perf = await reportOf(path);
  assert.equal(perf.functions[0].name, 'spin_hot');
  assert.match(await page.getByTestId('function-row').first().innerText(), /\bspin_hot\b/);

  // The password is nowhere: not in the recordings, their logs, the sessions list, the home folder, the host's output, the page.
  assert.deepEqual(filesContaining(dataDir, password), []);
  assert.deepEqual(filesContaining(`/home/${user}`, password), []);
  assert.ok(!serve.output().includes(password), 'not in the host output');
  assert.ok(!(await page.content()).includes(password), 'not in the page');
  assert.match(readFileSync(`${path}.log`, 'utf8'), /password \(type it in Heatline's password field\)/);
  await page.getByTestId('record-session-close').click();
});

test('perf_event_paranoid 3: the dialog lowers it to 2 with one sudo sysctl, and the same request then records as the user', { skip }, async () => {
  await page.getByRole('banner').getByTestId('record-button').click();
  await page.getByTestId('target-launch').check();
  await page.getByTestId('record-command').fill(`${binaries.cpu_hot} 20`);
  await page.getByTestId('instrument-cpu').locator('input').check();
  await page.getByTestId('duration-until-stop').check();
  await page.locator('[data-testid="privilege-decision"][data-kind="needs-elevation"]').waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('privilege-reason').innerText(), /perf_event_paranoid is 3 on this machine, which forbids perf to ordinary users/);
  await screenshot(page, 'record/privilege-paranoid');
  await page.getByTestId('remedy-lower-paranoid-sudo').click();
  const allowed = page.locator('[data-testid="privilege-decision"][data-kind="allowed"]');
  // sudo asks again in this new terminal (its timestamp is per terminal), in the dialog's own field.
  await Promise.race([page.getByTestId('password-field').waitFor({ timeout: 20_000 }), allowed.waitFor({ timeout: 20_000 })]);
  if (await page.getByTestId('password-field').count()) await typePassword(password);
  await allowed.waitFor({ timeout: 30_000 });
  assert.equal(readFileSync(PARANOID, 'utf8').trim(), '2', 'lowered to 2 by the elevated sysctl');
  assert.match(await page.getByTestId('paranoid-status').innerText(), /perf_event_paranoid is now 2 until reboot/);
  await page.getByTestId('record-start').click();
  const path = await resultPath();
  assert.equal(statSync(path).uid, uid);
  const perf = await reportOf(path);
  assert.match(await page.getByTestId('function-row').first().innerText(), new RegExp(`\\b${perf.functions[0].name}\\b`));
  assert.deepEqual(filesContaining(dataDir, password), []);
  assert.ok(!serve.output().includes(password));
});
