/**
 * `heatline annotate` as a user runs it, on a perf.data recorded now from
 * cpu_hot and checked against `perf report --sort srcline` on the same file.
 */

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { before, test } from 'node:test';
import type { AnnotateJson } from '../../src-main/source/annotate-command';
import { repoRoot, runCli } from '../helpers/cli';
import { compileFixture, FIXTURE_PROGRAMS_DIR, perfReportBySrcline, recordPerf } from '../helpers/perf';

const workDir = join(repoRoot, 'test-artifacts', 'annotate');
let perfData: string;

before(async () => {
  await mkdir(workDir, { recursive: true });
  const binary = await compileFixture('cpu_hot');
  perfData = await recordPerf(binary, [], { callGraph: 'fp', out: join(workDir, 'cpu_hot.perf.data') });
});

async function annotateJson(args: string[]): Promise<AnnotateJson> {
  const result = await runCli(['annotate', perfData, '--json', ...args]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '', 'the source was found');
  return JSON.parse(result.stdout) as AnnotateJson;
}

/** The 1-based number of the one line of cpu_hot.c that contains `text`. */
async function fixtureLine(text: string): Promise<number> {
  const lines = (await readFile(join(FIXTURE_PROGRAMS_DIR, 'cpu_hot.c'), 'utf8')).split('\n');
  const matches = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  assert.equal(matches.length, 1, `one line contains ${text}`);
  return matches[0];
}

test('the default is work_40, and its hottest line and count are perf report’s hottest srcline', async () => {
  const perf = await perfReportBySrcline(perfData);
  const hottest = perf.lines[0];
  assert.ok(hottest.line > 0, `perf knows the hottest line: ${hottest.srcline}`);
  assert.ok(hottest.samples > (perf.lines[1]?.samples ?? 0), 'perf has one hottest line');

  const json = await annotateJson([]);
  assert.equal(json.func.name, 'work_40');
  assert.equal(`${basename(json.file)}:${json.hottestLine}`, hottest.srcline);
  const line = json.lines.find((l) => l.line === json.hottestLine);
  assert.equal(line?.self, hottest.samples, 'self samples on the hottest line');
  assert.equal(json.grandTotal, perf.totalSamples);
  assert.equal(json.source?.lines[json.hottestLine - json.firstLine].includes('8 * UNIT'), true, 'the text beside it is that line');

  // The text view prints the same line with the biggest self%.
  const text = await runCli(['annotate', perfData]);
  assert.equal(text.status, 0, text.stderr);
  const rows = text.stdout
    .split('\n')
    .map((row) => /^\s*(\d+\.\d+)\s+\d+\.\d+\s+(\d+): (.*)$/.exec(row))
    .filter((m) => m !== null);
  rows.sort((a, b) => Number(b[1]) - Number(a[1]));
  assert.equal(Number(rows[0][2]), hottest.line);
  assert.match(rows[0][3], /8 \* UNIT/);
  assert.match(text.stdout.split('\n')[0], /^work_40 {2}\(.*cpu_hot\.c\) {2}self \d+\.\d\d% {2}total \d+\.\d\d%/);
});

test('--function work_25 shows work_25 with its loop line hottest', async () => {
  const json = await annotateJson(['--function', 'work_25']);
  assert.equal(json.func.name, 'work_25');
  assert.equal(json.hottestLine, await fixtureLine('i < 5 * UNIT'));
  const perf = await perfReportBySrcline(perfData);
  const perfLine = perf.lines.find((l) => l.line === json.hottestLine);
  assert.equal(json.lines.find((l) => l.line === json.hottestLine)?.self, perfLine?.samples, 'same count as perf');
});

test('an unknown function is one line on stderr and exit 1', async () => {
  const result = await runCli(['annotate', perfData, '--function', 'no_such_function']);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /no function named "no_such_function"/);
});

test('a bad --remap is a usage error', async () => {
  const result = await runCli(['annotate', perfData, '--remap', 'no-equals-sign']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--remap takes OLD=NEW/);
});
