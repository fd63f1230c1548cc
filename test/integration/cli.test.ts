/**
 * `heatline report` and `convert` as a user runs them: on a perf script text
 * recorded now from the fixture, checked against `perf report` on the same
 * recording; and on bad input, one line on stderr and exit 1.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import Ajv from 'ajv';
import type { SpeedscopeFile } from '../../src-shared/export/speedscope';
import { buildReport, type ProfileReport } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { repoRoot, runCli, type CliResult } from '../helpers/cli';
import { compileFixture, perfReportBySymbol, perfScriptText, recordPerf } from '../helpers/perf';
import { recordPerfThreadsDirectory } from '../helpers/perf-data';

const workDir = join(repoRoot, 'test-artifacts', 'cli');
let perfData: string;
let scriptText: string;

before(async () => {
  await mkdir(workDir, { recursive: true });
  const binary = await compileFixture('cpu_hot');
  perfData = await recordPerf(binary, [], { callGraph: 'fp', out: join(workDir, 'cpu_hot.perf.data') });
  scriptText = await perfScriptText(perfData);
});

/** Exit 1 with exactly one line that names the file, and nothing that looks like a stack trace. */
function assertOneLineError(result: CliResult, file: string, problem: RegExp): void {
  assert.equal(result.status, 1, `exit status; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.ok(lines[0].includes(file), `names the file: ${lines[0]}`);
  assert.match(lines[0], problem);
  assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m);
}

test('report --json agrees with perf report on the same recording', async () => {
  const result = await runCli(['report', scriptText, '--json', '--top', '10']);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ProfileReport;
  const perf = await perfReportBySymbol(perfData);

  assert.equal(report.format, 'perf-script');
  assert.equal(report.kind, 'cpu');
  assert.equal(report.total, perf.totalSamples, 'total samples');
  const ours = report.functions.slice(0, 5);
  const theirs = perf.functions.slice(0, 5);
  assert.deepEqual(
    ours.map((f) => f.name),
    theirs.map((f) => f.name),
    'top 5 functions by self, in order',
  );
  for (let i = 0; i < 5; i++) {
    const share = (100 * ours[i].self) / report.total;
    assert.ok(Math.abs(share - theirs[i].percent) <= 1, `${ours[i].name}: ${share.toFixed(2)}% vs perf ${theirs[i].percent}%`);
  }
  for (const key of ['threads', 'functions', 'lines'] as const) assert.ok(Array.isArray(report[key]), key);
  assert.equal(report.allocations, null);
});

test('report of a perf.data: the built CLI (symbol worker and reader together) names every frame as the reader alone does', async () => {
  // The CLI resolves the binaries a short recording meets in the reader's thread while its worker reads
  // kallsyms; the import run from the sources here has no worker and resolves everything in this thread.
  const result = await runCli(['report', perfData, '--json', '--top', '100000']);
  assert.equal(result.status, 0, result.stderr);
  const viaCli = JSON.parse(result.stdout) as ProfileReport;
  const here = buildReport(await loadProfile(await fileSource(perfData)), 100000);
  assert.ok(viaCli.functions.some((f) => f.file !== null), 'the recording has frames with files and lines');
  assert.deepEqual(viaCli.functions, here.functions);
  assert.deepEqual(viaCli.lines, here.lines);
  assert.deepEqual(viaCli.threads, here.threads);
  assert.equal(viaCli.total, here.total);
});

test('report without --json prints a readable table with the hottest function', async () => {
  const result = await runCli(['report', scriptText]);
  assert.equal(result.status, 0, result.stderr);
  const perf = await perfReportBySymbol(perfData);
  assert.match(result.stdout, /Functions \(by self\)/);
  assert.ok(result.stdout.includes(perf.functions[0].name));
});

test('convert writes speedscope JSON valid against the schema the speedscope package ships', async () => {
  const out = join(workDir, 'cpu_hot.speedscope.json');
  const result = await runCli(['convert', scriptText, '--to', 'speedscope', '-o', out]);
  assert.equal(result.status, 0, result.stderr);
  const schemaPath = join(repoRoot, 'node_modules', 'speedscope', 'dist', 'release', 'file-format-schema.json');
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  const validate = new Ajv({ strict: false }).compile({ ...schema, $ref: '#/definitions/FileFormat.File' });
  const file = JSON.parse(await readFile(out, 'utf8')) as SpeedscopeFile;
  const valid = validate(file) as boolean;
  assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 3)));
  const samples = file.profiles.reduce((n, p) => n + p.samples.length, 0);
  const perf = await perfReportBySymbol(perfData);
  assert.equal(samples, perf.totalSamples);
});

test('convert to collapsed stacks round-trips: the same totals and top function', async () => {
  const out = join(workDir, 'cpu_hot.collapsed.txt');
  assert.equal((await runCli(['convert', scriptText, '--to', 'collapsed', '-o', out])).status, 0);
  const direct = JSON.parse((await runCli(['report', scriptText, '--json'])).stdout) as ProfileReport;
  const viaCollapsed = JSON.parse((await runCli(['report', out, '--json'])).stdout) as ProfileReport;
  assert.equal(viaCollapsed.format, 'collapsed');
  assert.equal(viaCollapsed.total, direct.total);
  assert.deepEqual(viaCollapsed.functions.slice(0, 5), direct.functions.slice(0, 5).map((f) => ({ ...f, file: null })));
});

test('empty, garbage, truncated, missing: exit 1 with one line naming the file', async () => {
  const empty = join(workDir, 'empty.data');
  await writeFile(empty, '');
  assertOneLineError(await runCli(['report', empty, '--json']), empty, /empty/);

  const garbage = join(workDir, 'garbage.data');
  let seed = 12345;
  const noise = Buffer.alloc(64 * 1024, 0).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
  await writeFile(garbage, noise);
  assertOneLineError(await runCli(['report', garbage]), garbage, /not a profile/);

  const text = await readFile(scriptText, 'utf8');
  const headerLines = [...text.matchAll(/^\S.*$/gm)];
  const cutAt = headerLines[Math.floor(headerLines.length / 2)].index! + 12;
  const truncated = join(workDir, 'truncated.perf-script.txt');
  await writeFile(truncated, text.slice(0, cutAt));
  assertOneLineError(await runCli(['report', truncated]), truncated, /truncated/);

  const missing = join(workDir, 'no-such-file.data');
  assertOneLineError(await runCli(['report', missing]), missing, /no such file/);
  assertOneLineError(await runCli(['report', workDir]), workDir, /directory/);
});

test('bad usage: exit 2 with the usage', async () => {
  for (const args of [[], ['frobnicate'], ['report'], ['report', 'a', 'b'], ['report', 'x', '--nope'], ['convert', 'x', '--to', 'pdf'], ['report', 'x', '--top', 'many']]) {
    const result = await runCli(args);
    assert.equal(result.status, 2, `heatline ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /usage:/);
  }
});

test('a report bigger than a pipe holds arrives whole, however slowly the reader reads', async () => {
  // A DHAT file with one allocating function per program point: the JSON report of all of them is
  // several pipe buffers (64 KiB) long, and the reader below takes nothing for a while.
  const functions = 3000;
  const points = Array.from({ length: functions }, (_, i) => `{"tb":${64 + i},"tbk":1,"tl":10,"mb":64,"mbk":1,"gb":0,"gbk":0,"eb":0,"ebk":0,"fs":[1,${i + 2},${functions + 2}]}`);
  const frames = ['"[root]"', '"0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)"'];
  for (let i = 0; i < functions; i++) frames.push(`"0x${(0x109000 + i * 16).toString(16)}: allocating_function_number_${i} (prog.c:${i + 1})"`);
  frames.push('"0x1090A7: main (prog.c:9000)"');
  const file = join(workDir, 'many-functions.dhat.json');
  await writeFile(
    file,
    `{"dhatFileVersion":2,"mode":"heap","verb":"Allocated","bklt":true,"bkacc":false,"tu":"instrs","Mtu":"Minstr","tuth":500,"cmd":"./prog","pid":1,"te":100,"tg":50,"pps":[${points.join(',')}],"ftbl":[${frames.join(',')}]}`,
  );
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'heatline.js'), 'report', file, '--json', '--top', String(functions)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 500)); // heatline has finished writing what the pipe takes
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdout.resume();
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const text = Buffer.concat(chunks).toString('utf8');
  assert.equal(status, 0);
  assert.ok(text.length > 4 * 65536, `${text.length} bytes: more than a pipe holds`);
  const report = JSON.parse(text) as ProfileReport;
  assert.equal(report.functions.length, functions);
});

test('report - reads perf record -o - from a pipe, as perf report -i - does', async () => {
  const binary = await compileFixture('cpu_hot');
  const copy = join(workDir, 'piped.perf.data');
  const bin = join(repoRoot, 'bin', 'heatline.js');
  // tee keeps what went through the pipe, for perf report to read afterwards.
  const pipeline = 'perf record -q -e cpu-clock -F 1000 -g -o - -- "$1" 10 2>/dev/null | tee "$2" | "$3" "$4" report - --json';
  const result = await new Promise<CliResult>((resolve, reject) => {
    const child = spawn('sh', ['-c', pipeline, 'sh', binary, copy, process.execPath, bin], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ProfileReport;
  const perf = await perfReportBySymbol(copy);
  assert.equal(report.total, perf.totalSamples);
  assert.equal(report.functions[0].name, perf.functions[0].name);
});

test('a perf record --threads directory opens as its recording: report agrees with perf report', async () => {
  const recorded = await recordPerfThreadsDirectory(await compileFixture('cpu_hot'), ['5'], 'cli-threads-dir.perf.data');
  if ('reason' in recorded) {
    console.log(`# ${recorded.reason}: nothing to check`);
    return;
  }
  const result = await runCli(['report', recorded.dir, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ProfileReport;
  const perf = await perfReportBySymbol(recorded.dir);
  assert.equal(report.total, perf.totalSamples);
  assert.equal(report.functions[0].name, perf.functions[0].name);
});

test('a directory that is no perf recording: one line saying so', async () => {
  assertOneLineError(await runCli(['report', workDir]), workDir, /is a directory, not a profile/);
});
