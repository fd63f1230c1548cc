/**
 * The source pane's numbers on small hand-built profiles whose answers are
 * worked out in the comments: per-line self/total with an inlined helper and
 * recursion, the functions listed per line, merged functions handing their
 * self to the caller's line, per-instruction costs with return addresses,
 * and objdump text parsed into instructions.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analyzer, type AnalysisRequest } from '../../src-shared/analysis/analyzer';
import { computeFileLineCosts, computeInstructionCosts } from '../../src-shared/analysis/source-costs';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';
import { parseObjdump } from '../../src-main/source/disassemble';
import { assemblyRows, instructionAt } from '../../src-renderer/views/source/assembly-rows';

/**
 * main (a.c:10) calls work (a.c:20, 21); helper (h.h:5) is inlined into work at a.c:21.
 *   3 samples  main@0x100(10) -> work@0x200(20)                     self on a.c:20
 *   2 samples  main@0x100(10) -> work@0x210(21) + helper inlined(5)  self on h.h:5, total on a.c:21
 *   1 sample   main@0x100(10) -> work@0x200(20) -> work@0x200(20)   recursion: a.c:20 counted once
 */
function buildProfile(): { profile: Profile; work: number; helper: number; main: number; fileA: number; fileH: number } {
  const b = new ProfileBuilder({ format: 'perf.data', kind: 'cpu', unit: 'samples', sourceName: 'test', weighted: false });
  const thread = b.thread(1, 1, 'main');
  const main = b.func('main', { file: '/src/a.c', library: '/bin/app' });
  const work = b.func('work', { file: '/src/a.c', library: '/bin/app' });
  const helper = b.func('helper', { file: '/src/h.h', library: '/bin/app' });
  const mainFrame = b.frame(main, { address: 0x100, line: 10 });
  const work20 = b.frame(work, { address: 0x200, line: 20 });
  const work21 = b.frame(work, { address: 0x210, line: 21 });
  const helper5 = b.frame(helper, { address: 0x210, line: 5, inlineDepth: 1 });
  const s1 = b.stackFromRoot([mainFrame, work20]);
  const s2 = b.stackFromRoot([mainFrame, work21, helper5]);
  const s3 = b.stackFromRoot([mainFrame, work20, work20]);
  let t = 0;
  for (let i = 0; i < 3; i++) b.sample(s1, thread, t++);
  for (let i = 0; i < 2; i++) b.sample(s2, thread, t++);
  b.sample(s3, thread, t++);
  const profile = b.finish();
  return { profile, work, helper, main, fileA: profile.strings.indexOf('/src/a.c'), fileH: profile.strings.indexOf('/src/h.h') };
}

function weightsOf(profile: Profile): Float64Array {
  const w = new Float64Array(profile.stacks.length);
  for (let i = 0; i < profile.samples.length; i++) w[profile.samples.stack[i]] += 1;
  return w;
}

const table = (costs: ReturnType<typeof computeFileLineCosts>) =>
  Array.from(costs.line, (line, i) => `${line} self ${costs.self[i]} total ${costs.total[i]}`).join('\n');

test('lines: self on the leaf line, total once per sample, inlined lines in their own file', () => {
  const { profile, fileA, fileH, work, helper, main } = buildProfile();
  const a = computeFileLineCosts(profile, weightsOf(profile), fileA);
  assert.equal(table(a), ['10 self 0 total 6', '20 self 4 total 4', '21 self 0 total 2'].join('\n'));
  assert.equal(a.grandTotal, 6);
  assert.deepEqual(a.funcs[a.line.indexOf(10)].map((c) => c.func), [main]);
  assert.deepEqual(a.funcs[a.line.indexOf(21)], [{ func: work, self: 0, total: 2 }]);
  const h = computeFileLineCosts(profile, weightsOf(profile), fileH);
  assert.equal(table(h), '5 self 2 total 2');
  assert.deepEqual(h.funcs[0], [{ func: helper, self: 2, total: 2 }]);
});

test('lines: a merged function gives its self to the first kept frame above it', () => {
  const { profile, fileA, helper } = buildProfile();
  const merged = new Uint8Array(profile.funcs.length);
  merged[helper] = 1;
  const a = computeFileLineCosts(profile, weightsOf(profile), fileA, merged);
  assert.equal(table(a), ['10 self 0 total 6', '20 self 4 total 4', '21 self 2 total 2'].join('\n'));
});

test('the analyzer applies the range and the transforms to line and instruction costs', () => {
  const { profile, fileA, work, helper } = buildProfile();
  const request: AnalysisRequest = { range: null, threads: null, transforms: [], search: '', inverted: false, sandwichFunc: -1, stackChartThread: -1 };
  const analyzer = new Analyzer(profile);
  // Sample times: 0-2 the a.c:20 leaves, 3-4 the inlined helper, 5 the recursion; [3, 5) keeps the helper's two.
  const ranged = analyzer.analyze({ ...request, range: { start: 3, end: 5 }, sourceFile: fileA });
  assert.equal(table(ranged.sourceLines!), ['10 self 0 total 2', '21 self 0 total 2'].join('\n'));
  // Dropping the inlined helper, shown as a function of its own, drops its samples.
  const drop = { ...request, transforms: [{ type: 'drop-function', func: helper }], sourceFile: fileA, asmFunc: work } satisfies AnalysisRequest;
  const dropped = analyzer.analyze({ ...drop, inlined: 'separate' });
  assert.equal(table(dropped.sourceLines!), ['10 self 0 total 4', '20 self 4 total 4'].join('\n'));
  assert.deepEqual(Array.from(dropped.asmCosts!.address), [0x200]);
  // Merged into work (the default), the helper is no step of any stack: nothing to drop.
  assert.equal(table(analyzer.analyze(drop).sourceLines!), ['10 self 0 total 6', '20 self 4 total 4', '21 self 0 total 2'].join('\n'));
  assert.equal(analyzer.analyze(request).sourceLines, null, 'nothing asked, nothing computed');
});

test('instructions: self at the leaf address (inlined frames share it), total once per sample', () => {
  const { profile, work, main } = buildProfile();
  const w = computeInstructionCosts(profile, weightsOf(profile), work);
  assert.deepEqual(Array.from(w.address), [0x200, 0x210]);
  assert.deepEqual(Array.from(w.self), [4, 2], 'the helper samples are work’s own code at 0x210');
  assert.deepEqual(Array.from(w.total), [4, 2]);
  const m = computeInstructionCosts(profile, weightsOf(profile), main);
  assert.deepEqual([Array.from(m.address), Array.from(m.self), Array.from(m.total)], [[0x100], [0], [6]]);
});

const OBJDUMP = `
0000000000001139 <work>:
work():
/src/a.c:20
    1139:	push   %rbp
    113a:	mov    %rsp,%rbp
/src/a.c:21 (discriminator 2)
    113d:	call   1120 <helper>
    1142:	jne    1139 <work>
    1144:	ret
`;

test('objdump text: positions, file offsets, jump targets inside the function only', () => {
  const insns = parseObjdump(OBJDUMP, (address) => address - 0x1000);
  assert.deepEqual(
    insns.map((i) => [i.offset, i.file, i.line, i.jumpTargetOffset]),
    [
      [0x139, '/src/a.c', 20, -1],
      [0x13a, '/src/a.c', 20, -1],
      [0x13d, '/src/a.c', 21, -1],
      [0x142, '/src/a.c', 21, 0x139],
      [0x144, '/src/a.c', 21, -1],
    ],
  );
  assert.equal(insns[2].text, 'call   1120 <helper>');
  // A caller's return address (the instruction after the call) charges the call.
  assert.equal(instructionAt(insns, 0x142 - 1), 2);
  const rows = assemblyRows(insns, { func: 0, address: Float64Array.of(0x13a, 0x142), self: Float64Array.of(3, 0), total: Float64Array.of(3, 5), grandTotal: 8 });
  const costed = rows.flatMap((r) => (r.kind === 'insn' && r.total > 0 ? [[r.insn.offset, r.self, r.total]] : []));
  assert.deepEqual(costed, [
    [0x13a, 3, 3],
    [0x13d, 0, 5],
  ]);
  assert.deepEqual(rows.filter((r) => r.kind === 'source').map((r) => (r.kind === 'source' ? r.line : 0)), [20, 21]);
});

test('llvm-objdump text parses the same way', () => {
  const text = [
    '00000000000011e0 <work_40>:',
    '; work_40():',
    '; /src/cpu_hot.c:37',
    '    11e0:      \tpushq\t%rbp',
    '; /src/cpu_hot.c:38',
    '    11f0:      \tmovq\t%rax, %rdx',
    '    121c:      \tjne\t0x11f0 <work_40+0x10>',
  ].join('\n');
  const insns = parseObjdump(text, (address) => address);
  assert.deepEqual(
    insns.map((i) => [i.offset, i.line, i.text]),
    [
      [0x11e0, 37, 'pushq %rbp'],
      [0x11f0, 38, 'movq %rax, %rdx'],
      [0x121c, 38, 'jne 0x11f0 <work_40+0x10>'],
    ],
  );
  assert.equal(insns[2].jumpTargetOffset, 0x11f0);
});
