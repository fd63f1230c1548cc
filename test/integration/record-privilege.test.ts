/**
 * Privileges with a real non-root user, created here (useradd) and removed
 * afterwards, running Heatline's recorder in a child process
 * (test/helpers/record.ts child mode, via runuser):
 * - asking to attach perf to a root-owned process is answered before
 *   starting: needs elevation, with the reason; starting anyway is refused
 *   with the same line;
 * - perf's own refusal (the user runs perf -p on the root process) is
 *   explained with that same line;
 * - the sudo path: sudo (installed here if missing) with a password set
 *   here; the recording answers sudo's prompt in the pty with the password
 *   sent as the app's password field would (a wrong one first, which is
 *   asked again), records the root process, leaves the file owned by the
 *   user, and the password appears in no output, log or file afterwards.
 *
 * Needs root (useradd, sudoers.d). CI: the sudo package (apt-get install
 * sudo; this test installs it when missing), util-linux (runuser, setpriv).
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFixture } from '../helpers/perf';
import { recordingsDir, startFixture } from '../helpers/record';

const REPO = resolve(__dirname, '..', '..');
const user = `hlrec${process.pid % 100000}`;
const password = `Hl-pw-${randomBytes(9).toString('hex')}`;
const sudoersFile = `/etc/sudoers.d/heatline-test-${user}`;
let uid = -1;
let dir: string;
let rootFixture: ReturnType<typeof startFixture>;

function sh(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.error}`);
  return result.stdout;
}

before(async () => {
  assert.equal(process.getuid?.(), 0, 'the privilege tests create a user: run them as root');
  if (spawnSync('sh', ['-c', 'command -v sudo']).status !== 0) {
    sh('apt-get', ['install', '-y', '-q', 'sudo']);
  }
  sh('useradd', ['--create-home', '--shell', '/bin/sh', user]);
  uid = Number(sh('id', ['-u', user]).trim());
  sh('chpasswd', [], `${user}:${password}\n`);
  const perf = sh('sh', ['-c', 'command -v perf']).trim();
  writeFileSync(sudoersFile, `${user} ALL=(root) ${perf}, /usr/bin/chown\n`, { mode: 0o440 });
  dir = recordingsDir('privilege');
  chownSync(dir, uid, uid);
  chmodSync(dir, 0o755);
  const binary = await compileFixture('until_killed');
  rootFixture = startFixture(binary, ['60']);
  await rootFixture.ready;
});

after(() => {
  rootFixture?.stop();
  rmSync(sudoersFile, { force: true });
  spawnSync('pkill', ['-KILL', '-u', user]);
  spawnSync('userdel', ['--remove', '--force', user]);
});

interface ChildRun {
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

/** Runs a child-mode job as the test user; `answer` sends password lines when asked. */
function asUser(job: object, answer?: (attempt: number) => string | null, timeoutMs = 90_000): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('runuser', ['-u', user, '--', process.execPath, '--import', 'tsx', join(REPO, 'test/helpers/record.ts'), 'child'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let seen = 0;
    const lines: Record<string, unknown>[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const all = stdout.split('\n').filter((l) => l.startsWith('{'));
      for (const line of all.slice(seen)) {
        const value = JSON.parse(line) as Record<string, unknown>;
        lines.push(value);
        const event = value.event as { type?: string; attempt?: number } | undefined;
        if (event?.type === 'passwordRequested' && answer) {
          const reply = answer(event.attempt ?? 1);
          if (reply !== null) child.stdin.write(`${JSON.stringify({ password: reply })}\n`);
        }
      }
      seen = all.length;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child job timed out; stdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise({ lines, stdout, stderr });
    });
    child.stdin.write(`${JSON.stringify(job)}\n`);
  });
}

const attachRoot = () => ({ target: { kind: 'attach', pid: rootFixture.child.pid }, options: { instrument: 'cpu' }, durationSeconds: 2 });

test("a user attaching to root's process is told before starting that it needs elevation", async () => {
  const run = await asUser({ job: 'check', request: attachRoot() });
  const decision = run.lines.find((l) => 'decision' in l)?.decision as { kind: string; reason: string; remedies: { method: string }[] };
  assert.ok(decision, run.stderr);
  assert.equal(decision.kind, 'needs-elevation');
  assert.equal(decision.reason, `Process ${rootFixture.child.pid} belongs to root; perf may watch only your own processes without administrator rights.`);
  assert.ok(decision.remedies.some((r) => r.method === 'sudo'));
  const refused = run.lines.find((l) => 'error' in l) as { error: string; name: string };
  assert.equal(refused.name, 'NeedsElevationError');
  assert.equal(refused.error, decision.reason);
});

test("perf's own refusal is turned into the same explanation", async () => {
  const pid = String(rootFixture.child.pid);
  const run = await asUser({ job: 'refusal', request: attachRoot(), perfArgs: ['record', '-o', '/tmp/heatline-refused.data', '-p', pid, '--', 'sleep', '0.2'] });
  const line = run.lines.find((l) => 'explanation' in l) as { status: number; stderr: string; explanation: string };
  assert.ok(line, run.stderr);
  assert.notEqual(line.status, 0);
  assert.match(line.stderr, /perf_event_paranoid|Permission|permission/);
  assert.equal(line.explanation, `Process ${pid} belongs to root; perf may watch only your own processes without administrator rights.`);
});

test('the sudo path records the root process through the password prompt; the password is nowhere afterwards', async () => {
  spawnSync('runuser', ['-u', user, '--', 'sudo', '-K']); // no cached credentials: sudo must ask
  const attempts: number[] = [];
  const run = await asUser({ job: 'record', request: { ...attachRoot(), elevation: 'sudo' }, outputDir: dir }, (attempt) => {
    attempts.push(attempt);
    return attempt === 1 ? 'not-the-password' : password;
  });
  const final = run.lines.find((l) => 'result' in l) as { result: { path: string; logPath: string } | null; error: string | null };
  assert.ok(final, `no result; stderr: ${run.stderr}`);
  assert.equal(final.error, null, `${final.error}\n${run.stdout.slice(-3000)}`);
  assert.deepEqual(attempts, [1, 2], 'asked once, asked again after the wrong password');
  const result = final.result!;
  assert.equal(statSync(result.path).uid, uid, 'the file belongs to the user, not root');
  // perf report as root refuses another user's file unless forced (-f); the first row is the hottest symbol.
  const report = spawnSync('perf', ['report', '-f', '-i', result.path, '--stdio', '--no-children', '--sort', 'symbol', '-g', 'none'], { encoding: 'utf8', timeout: 60_000 });
  const firstRow = report.stdout.split('\n').find((line) => /^\s+\d+\.\d+%/.test(line));
  assert.match(firstRow ?? report.stderr, /\] spin_hot\b/);
  // The terminal showed our prompt text, never the marker.
  assert.match(run.stdout, /password \(type it in Heatline/);
  assert.doesNotMatch(run.stdout, /heatline-sudo-[0-9a-f]/);

  // The password is in nothing we produced: child output, the log, the result, the sessions list.
  const haystacks: [string, Buffer][] = [['child stdout', Buffer.from(run.stdout)], ['child stderr', Buffer.from(run.stderr)]];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else haystacks.push([path, readFileSync(path)]);
    }
  };
  walk(dir);
  assert.ok(haystacks.some(([name]) => name.endsWith('recordings.json')));
  assert.ok(existsSync(result.logPath));
  for (const [name, content] of haystacks) {
    assert.equal(content.includes(password), false, `the password is in ${name}`);
    assert.equal(content.includes('not-the-password'), false, `the wrong password is in ${name}`);
  }
});
