/**
 * The analysis behind the window against `perf report` on the same
 * recordings: self samples and "children" shares per function, for the
 * whole profile, a time range (perf report --time) and one thread
 * (perf report --tid). The fixtures are recorded now (phases.c, threads.c).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Analyzer, type AnalysisRequest } from '../../src-shared/analysis/analyzer';
import type { Profile } from '../../src-shared/profile/model';
import { perfScriptImporter } from '../../src-main/import/perf-script';
import { bytesSource } from '../../src-main/import/source';
import { ARTIFACTS_DIR, compileFixture, perfScriptText, recordPerf } from '../helpers/perf';
import { analysisRequest, nameOf } from './helpers-analysis';

interface ReportRow {
  symbol: string;
  children: number;
  self: number;
  samples: number;
}

/** `perf report --children --sort symbol -n` rows: children %, self %, self samples, symbol. */
function perfReport(perfData: string, extra: string[] = []): ReportRow[] {
  const args = ['report', '-i', perfData, '--stdio', '--children', '--sort', 'symbol', '-g', 'none', '--percent-limit', '0', '-n', ...extra];
  const result = spawnSync('perf', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`perf ${args.join(' ')}: ${result.stderr}`);
  const rows: ReportRow[] = [];
  for (const line of result.stdout.split('\n')) {
    const match = /^\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s+\[.\] (\S+)/.exec(line);
    if (match) rows.push({ children: Number(match[1]), self: Number(match[2]), samples: Number(match[3]), symbol: match[4] });
  }
  if (rows.length === 0) throw new Error(`perf ${args.join(' ')}: no rows\n${result.stdout.slice(0, 1000)}`);
  return rows;
}

const request = analysisRequest;

/** Heatline's costs by function name for a request: self samples, and total as a percentage with perf's two decimals. */
function costsByName(profile: Profile, analysis: AnalysisRequest): Map<string, { samples: number; children: number }> {
  const { funcCosts } = new Analyzer(profile).analyze(analysis);
  const out = new Map<string, { samples: number; children: number }>();
  for (let f = 0; f < funcCosts.total.length; f++) {
    if (funcCosts.total[f] === 0) continue;
    out.set(nameOf(profile, f), {
      samples: funcCosts.self[f],
      children: Math.round((10000 * funcCosts.total[f]) / funcCosts.grandTotal) / 100,
    });
  }
  return out;
}

/** Every symbol perf names (perf lists each unresolved address apart; we skip those) agrees. */
function assertSameAsPerf(ours: Map<string, { samples: number; children: number }>, perf: ReportRow[]) {
  for (const row of perf) {
    // Unresolved addresses: perf prints them as hex, with or without 0x (a sample at address 0 reads "0000000000000000").
    if (/^(0x[0-9a-f]+|[0-9a-f]{8,})$/i.test(row.symbol)) continue;
    const mine = ours.get(row.symbol);
    assert.ok(mine, `${row.symbol} is missing`);
    assert.equal(mine.samples, row.samples, `${row.symbol}: self samples`);
    assert.ok(Math.abs(mine.children - row.children) <= 0.011, `${row.symbol}: total ${mine.children}% vs perf's children ${row.children}%`);
  }
}

async function importScript(path: string): Promise<Profile> {
  return perfScriptImporter.import(bytesSource('perf.txt', readFileSync(path)), {});
}

let phasesData: string;
let phases: Profile;
let threadsData: string;
let threads: Profile;

before(async () => {
  const dir = join(ARTIFACTS_DIR, 'analysis');
  phasesData = await recordPerf(await compileFixture('phases'), [], { out: join(dir, 'phases.perf.data') });
  phases = await importScript(await perfScriptText(phasesData));
  threadsData = await recordPerf(await compileFixture('threads'), [], { out: join(dir, 'threads.perf.data') });
  threads = await importScript(await perfScriptText(threadsData));
});

test('whole profile: self samples and total shares per function equal perf report --children', () => {
  assertSameAsPerf(costsByName(phases, request()), perfReport(phasesData));
});

test('a time range equals perf report --time over the same samples', () => {
  // Cut between two samples at the start of phase B's last third, so no sample sits on an edge. Phase B's start is
  // found, not assumed: each phase runs for a wall-clock time, so on a loaded machine its share of samples varies.
  const times = phases.samples.time;
  const inPhaseB = (sample: number) => {
    for (let s = phases.samples.stack[sample]; s >= 0; s = phases.stacks.prefix[s]) {
      if (nameOf(phases, phases.frames.func[phases.stacks.frame[s]]) === 'phase_b') return true;
    }
    return false;
  };
  let firstB = 0;
  while (firstB < times.length && !inPhaseB(firstB)) firstB++;
  assert.ok(times.length - firstB > 30, `phase B has samples (${times.length - firstB})`);
  const at = firstB + Math.floor(((times.length - firstB) * 2) / 3);
  const cut = (times[at - 1] + times[at]) / 2;
  const end = times[times.length - 1] + 1e6;
  const seconds = (ns: number) => (ns / 1e9).toFixed(6);
  const ours = costsByName(phases, request({ range: { start: cut, end } }));
  assertSameAsPerf(ours, perfReport(phasesData, ['--time', `${seconds(cut)},${seconds(end)}`]));
  assert.ok(!ours.has('phase_a'), 'the last third is phase B only');
});

test('one thread equals perf report\'s rows for that thread (--sort comm,symbol)', () => {
  // perf's --tid and --comms filters print nothing for this recording on some perf versions: sort by comm instead.
  const args = ['report', '-i', threadsData, '--stdio', '--children', '--sort', 'comm,symbol', '-g', 'none', '--percent-limit', '0', '-n'];
  const result = spawnSync('perf', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(result.status, 0, result.stderr);
  const rows = result.stdout
    .split('\n')
    .map((line) => /^\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s+(\S+)\s+\[.\] (\S+)/.exec(line))
    .filter((match) => match !== null && match[4] === 'hl-beta')
    .map((match) => ({ children: Number(match![1]), samples: Number(match![3]), symbol: match![5] }));
  assert.ok(rows.length > 0, result.stdout.slice(0, 1000));

  const beta = Array.from({ length: threads.threads.length }, (_, t) => t).find((t) => threads.strings[threads.threads.name[t]] === 'hl-beta');
  assert.ok(beta !== undefined, 'the hl-beta thread');
  const { funcCosts } = new Analyzer(threads).analyze(request({ threads: [beta] }));
  const whole = threads.samples.length;
  for (const row of rows) {
    const func = Array.from({ length: threads.funcs.length }, (_, f) => f).find((f) => nameOf(threads, f) === row.symbol);
    assert.ok(func !== undefined, row.symbol);
    assert.equal(funcCosts.self[func], row.samples, `${row.symbol}: self samples`);
    // perf's shares here are of every thread's samples.
    assert.ok(Math.abs((100 * funcCosts.total[func]) / whole - row.children) <= 0.011, `${row.symbol}: children`);
  }
});

test('merging a function moves its self time to the caller, as perf report --children shows it', () => {
  const rows = perfReport(phasesData);
  const spinB = phases.strings.indexOf('spin_b');
  const func = Array.from({ length: phases.funcs.length }, (_, f) => f).find((f) => phases.funcs.name[f] === spinB)!;
  const merged = costsByName(phases, request({ transforms: [{ type: 'merge-function', func }] }));
  const perfSelf = (symbol: string) => rows.find((row) => row.symbol === symbol)?.samples ?? 0;
  // spin_b is only ever called by descend: descend now has spin_b's self on top of its own.
  assert.equal(merged.get('descend')?.samples, perfSelf('descend') + perfSelf('spin_b'));
  assert.ok(!merged.has('spin_b'));
});
