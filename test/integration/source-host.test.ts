/**
 * The source pane's host calls over the real host (createHost + dispatchCall,
 * the one entry both transports use), on cpu_hot compiled and recorded now in
 * a folder of its own:
 *   - the file the debug info names is read; paths outside the allowed set
 *     (another file, `..` tricks, a relative path) are refused;
 *   - after the folder moves: "not found" with the path tried; a remap to a
 *     missing folder is refused; a good one brings the text back and is
 *     remembered for the next open of the same build (by build-id);
 *   - per-line self counts over the selection equal `perf report --sort srcline`;
 *   - disassembly: the hottest instruction lies in the address range that
 *     objdump's line table gives the hot loop's line; for perf script text
 *     (run-time addresses) the function is found by name;
 *   - Locate…: the pick is read and implies a remap.
 *   - uploads (openBytes): a crafted DHAT file and crafted perf script text
 *     naming /etc/passwd, a hidden folder's file and non-ELF or hidden
 *     binaries are refused; the same recording uploaded still shows its source;
 *   - a profile evicted by newer ones says so.
 */

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Analyzer, type AnalysisRequest } from '../../src-shared/analysis/analyzer';
import type { CallOutcome, DisassembleResult, LocateSourceResult, OpenedProfile, SourceReadResult, SourceRemaps } from '../../src-shared/contract';
import { stringAt } from '../../src-shared/profile/model';
import { dispatchCall } from '../../src-main/host/dispatch';
import { createHost } from '../../src-main/host/host';
import { createSourceHost } from '../../src-main/host/source-handlers';
import { runTool } from '../helpers/compile';
import { repoRoot } from '../helpers/cli';
import { compileAllocSites, recordDhat } from '../helpers/memory-tools';
import { FIXTURE_CFLAGS, FIXTURE_PROGRAMS_DIR, perfReportBySrcline, perfScriptText, recordPerf } from '../helpers/perf';

const base = join(repoRoot, 'test-artifacts', 'source-host');
const builtAt = join(base, 'built-here');
const movedTo = join(base, 'moved-here');
const recording = join(base, 'cpu_hot.perf.data');
const settingsDir = mkdtempSync(join(tmpdir(), 'heatline-settings-'));

function newHost() {
  return createHost({ mode: 'electron', version: 'test', emit: () => {}, mayOpenPath: () => true, sources: { settingsDir } });
}
type Host = ReturnType<typeof newHost>;

async function call<T>(host: Host, name: string, args: unknown): Promise<T> {
  const outcome = (await dispatchCall(host, name, args)) as CallOutcome<T>;
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.value;
}

async function open(host: Host): Promise<OpenedProfile> {
  return call<OpenedProfile>(host, 'openFile', { path: recording, taskId: `t${Math.random().toString(36).slice(2, 10)}` });
}

/** The line of cpu_hot.c holding `text` (1-based). */
function fixtureLine(text: string): number {
  const lines = readFileSync(join(FIXTURE_PROGRAMS_DIR, 'cpu_hot.c'), 'utf8').split('\n');
  return lines.findIndex((line) => line.includes(text)) + 1;
}

function request(extra: Partial<AnalysisRequest>): AnalysisRequest {
  return { range: null, threads: null, transforms: [], search: '', inverted: false, sandwichFunc: -1, stackChartThread: -1, ...extra };
}

before(async () => {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(builtAt, { recursive: true });
  copyFileSync(join(FIXTURE_PROGRAMS_DIR, 'cpu_hot.c'), join(builtAt, 'cpu_hot.c'));
  runTool('gcc', [...FIXTURE_CFLAGS, '-o', join(builtAt, 'cpu_hot'), join(builtAt, 'cpu_hot.c')]);
  await recordPerf(join(builtAt, 'cpu_hot'), ['10'], { callGraph: 'fp', out: recording });
});

after(() => rmSync(settingsDir, { recursive: true, force: true }));

test('per-line self counts equal perf report --sort srcline; the hottest instruction is inside the hot loop', async () => {
  const host = newHost();
  try {
    const opened = await open(host);
    const { profile } = opened;
    const file = profile.strings.indexOf(join(builtAt, 'cpu_hot.c'));
    assert.ok(file >= 0, 'the profile names the source file');
    const work40 = Array.from({ length: profile.funcs.length }, (_, f) => f).find((f) => stringAt(profile, profile.funcs.name[f]) === 'work_40')!;
    const result = new Analyzer(profile).analyze(request({ sourceFile: file, asmFunc: work40 }));
    const lines = result.sourceLines!;

    const perf = await perfReportBySrcline(recording);
    const perfLines = perf.lines.filter((l) => l.file === 'cpu_hot.c');
    assert.ok(perfLines.length >= 5, 'perf sees the five loop lines');
    for (const perfLine of perfLines) {
      const i = lines.line.indexOf(perfLine.line);
      assert.ok(i >= 0, `line ${perfLine.line} has a cost`);
      assert.equal(lines.self[i], perfLine.samples, `self of cpu_hot.c:${perfLine.line}`);
    }
    assert.equal(lines.grandTotal, perf.totalSamples);
    const hottest = lines.line[lines.self.indexOf(Math.max(...lines.self))];
    assert.equal(hottest, perfLines[0].line, 'the hottest line is perf’s');
    assert.equal(hottest, fixtureLine('i < 8 * UNIT'), 'work_40’s loop line');
    const contributors = lines.funcs[lines.line.indexOf(hottest)].map((c) => stringAt(profile, profile.funcs.name[c.func]));
    assert.deepEqual(contributors, ['work_40']);

    // Assembly: disassemble work_40 and find its hottest instruction.
    const library = stringAt(profile, profile.funcs.library[work40]);
    const asm = result.asmCosts!;
    assert.ok(asm.address.length > 0, 'work_40 has sampled addresses');
    const disassembly = await call<DisassembleResult>(host, 'disassemble', {
      profileId: opened.profileId,
      library,
      functionName: 'work_40',
      offsets: Array.from(asm.address),
    });
    assert.equal(disassembly.kind, 'ok', JSON.stringify(disassembly).slice(0, 300));
    if (disassembly.kind !== 'ok') return;
    assert.equal(disassembly.symbol, 'work_40');
    const hotAddress = asm.address[asm.self.indexOf(Math.max(...asm.self))];
    const hotInsn = disassembly.instructions.find((insn) => insn.offset === hotAddress);
    assert.ok(hotInsn, `an instruction starts at the hottest offset 0x${hotAddress.toString(16)}`);
    // objdump's own line table: the addresses it assigns to the loop line.
    const decoded = runTool('objdump', ['--dwarf=decodedline', join(builtAt, 'cpu_hot')]);
    const loopAddresses = decoded
      .split('\n')
      .map((row) => /^cpu_hot\.c\s+(\d+)\s+(0x[0-9a-f]+)/.exec(row))
      .filter((m) => m !== null)
      .map((m) => ({ line: Number(m[1]), address: parseInt(m[2], 16) }));
    const rowAt = (address: number) => loopAddresses.filter((r) => r.address <= address).sort((a, b) => b.address - a.address)[0];
    assert.equal(rowAt(hotInsn.address)?.line, fixtureLine('i < 8 * UNIT'), 'the line table puts the hottest instruction on the loop line');
    assert.equal(hotInsn.line, fixtureLine('i < 8 * UNIT'), 'and so does the disassembly');
    assert.ok(disassembly.instructions.some((insn) => insn.jumpTargetOffset >= 0), 'the loop’s back edge is a clickable jump');

    const refused = (await dispatchCall(host, 'disassemble', { profileId: opened.profileId, library: '/bin/sh', functionName: 'main', offsets: [0] })) as CallOutcome<unknown>;
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error, /refused: the profile does not name this binary/);
  } finally {
    host.dispose();
  }
});

test('reads only the files the debug info names; remaps find a moved tree and are remembered per build-id', async () => {
  const named = join(builtAt, 'cpu_hot.c');
  let host = newHost();
  try {
    let opened = await open(host);
    const id = opened.profileId;
    const found = await call<SourceReadResult>(host, 'readSource', { profileId: id, path: named });
    assert.equal(found.kind, 'found');
    for (const path of ['/etc/passwd', `${builtAt}/../../../package.json`, join(repoRoot, 'package.json'), 'cpu_hot.c']) {
      const read = await call<SourceReadResult>(host, 'readSource', { profileId: id, path });
      assert.equal(read.kind, 'refused', path);
    }
    const badArgs = (await dispatchCall(host, 'readSource', { profileId: id, path: named, extra: 1 })) as CallOutcome<unknown>;
    assert.equal(badArgs.ok, false, 'the contract refuses unknown fields');
    const unknown = (await dispatchCall(host, 'readSource', { profileId: 'no-such-profile', path: named })) as CallOutcome<unknown>;
    assert.equal(unknown.ok, false);

    renameSync(builtAt, movedTo);
    const missing = await call<SourceReadResult>(host, 'readSource', { profileId: id, path: named });
    assert.deepEqual(missing.kind === 'not-found' ? missing.tried : null, [named]);
    const noFolder = (await dispatchCall(host, 'setSourceRemaps', { profileId: id, remaps: [{ from: builtAt, to: join(base, 'nowhere') }] })) as CallOutcome<unknown>;
    assert.equal(noFolder.ok, false);
    assert.match(noFolder.ok ? '' : noFolder.error, /no such folder/);
    const set = await call<SourceRemaps>(host, 'setSourceRemaps', { profileId: id, remaps: [{ from: builtAt, to: movedTo }] });
    assert.ok(set.rememberedFor.some((key) => /^[0-9a-f]{40}$/.test(key)), `remembered by build-id: ${set.rememberedFor.join(', ')}`);
    const remapped = await call<SourceReadResult>(host, 'readSource', { profileId: id, path: named });
    assert.equal(remapped.kind === 'found' ? remapped.readFrom : remapped.kind, join(movedTo, 'cpu_hot.c'));
    assert.equal((await call<SourceReadResult>(host, 'readSource', { profileId: id, path: join(movedTo, 'cpu_hot.c') })).kind, 'refused');
    const locate = await call<{ kind: string }>(host, 'locateSource', { profileId: id, path: named });
    assert.equal(locate.kind, 'unavailable', 'no dialog in this host');

    await call(host, 'closeProfile', { profileId: id });
    assert.equal(((await dispatchCall(host, 'readSource', { profileId: id, path: named })) as CallOutcome<unknown>).ok, false, 'closed');
    host.dispose();

    // A new host (a new window, or the next run) opening the same build finds the remap again.
    host = newHost();
    opened = await open(host);
    const again = await call<SourceRemaps>(host, 'getSourceRemaps', { profileId: opened.profileId });
    assert.deepEqual(again.remaps, [{ from: builtAt, to: movedTo }]);
    const read = await call<SourceReadResult>(host, 'readSource', { profileId: opened.profileId, path: named });
    assert.equal(read.kind, 'found');
  } finally {
    host.dispose();
    if (!existsSync(builtAt)) renameSync(movedTo, builtAt);
  }
});

test('Locate…: the picked file is read, implies a remap for the rest of its tree, and a refused path never opens the dialog', async () => {
  const named = join(builtAt, 'cpu_hot.c');
  const settings = mkdtempSync(join(tmpdir(), 'heatline-settings-'));
  const asked: string[] = [];
  const host = createHost({
    mode: 'electron',
    version: 'test',
    emit: () => {},
    mayOpenPath: () => true,
    sources: {
      settingsDir: settings,
      pickSourceFile: async (missing) => {
        asked.push(missing);
        return join(movedTo, 'cpu_hot.c');
      },
    },
  });
  renameSync(builtAt, movedTo);
  try {
    const { profileId } = await open(host);
    const result = await call<LocateSourceResult>(host, 'locateSource', { profileId, path: named });
    assert.deepEqual(asked, [named]);
    assert.equal(result.kind, 'picked');
    if (result.kind !== 'picked') return;
    assert.deepEqual(result.remap, { from: builtAt, to: movedTo });
    assert.equal(result.read.kind === 'found' ? result.read.readFrom : result.read.kind, join(movedTo, 'cpu_hot.c'));
    assert.deepEqual((await call<SourceRemaps>(host, 'getSourceRemaps', { profileId })).remaps, [{ from: builtAt, to: movedTo }]);
    const refused = await call<LocateSourceResult>(host, 'locateSource', { profileId, path: '/etc/passwd' });
    assert.equal(refused.kind === 'picked' ? refused.read.kind : refused.kind, 'refused');
    assert.equal(asked.length, 1, 'no dialog for a file the profile does not name');
  } finally {
    host.dispose();
    renameSync(movedTo, builtAt);
    rmSync(settings, { recursive: true, force: true });
  }
});

test('perf script text: addresses are run-time ones, so the host finds the function to disassemble by name', async () => {
  const text = await perfScriptText(recording);
  const host = newHost();
  try {
    const opened = await call<OpenedProfile>(host, 'openFile', { path: text, taskId: 'script1' });
    const { profile } = opened;
    const work40 = Array.from({ length: profile.funcs.length }, (_, f) => f).find((f) => stringAt(profile, profile.funcs.name[f]) === 'work_40')!;
    const library = stringAt(profile, profile.funcs.library[work40]);
    assert.equal(library, join(builtAt, 'cpu_hot'));
    const listing = await call<DisassembleResult>(host, 'disassemble', { profileId: opened.profileId, library, functionName: 'work_40', offsets: [0] });
    assert.equal(listing.kind === 'ok' ? listing.symbol : JSON.stringify(listing), 'work_40');
    const missing = await call<DisassembleResult>(host, 'disassemble', { profileId: opened.profileId, library, functionName: 'no_such_function', offsets: [0] });
    assert.equal(missing.kind, 'unavailable');
  } finally {
    host.dispose();
  }
});

async function upload(host: Host, path: string, bytes: Uint8Array = readFileSync(path)): Promise<OpenedProfile> {
  return call<OpenedProfile>(host, 'openBytes', { name: path.split('/').pop()!, bytes, taskId: `u${Math.random().toString(36).slice(2, 10)}` });
}

async function failure(host: Host, name: string, args: unknown): Promise<string> {
  const outcome = (await dispatchCall(host, name, args)) as CallOutcome<unknown>;
  return outcome.ok ? `succeeded: ${JSON.stringify(outcome.value).slice(0, 200)}` : outcome.error;
}

/** Readable files an upload must not reach: /etc/passwd, and a source-named file in a hidden folder; an ELF file in a hidden folder. */
function bait(): { hiddenSource: string; hiddenElf: string } {
  const hidden = join(base, '.hidden');
  mkdirSync(hidden, { recursive: true });
  const hiddenSource = join(hidden, 'keys.c');
  writeFileSync(hiddenSource, 'const char *key = "secret";\n');
  const hiddenElf = join(hidden, 'cpu_hot');
  copyFileSync(join(builtAt, 'cpu_hot'), hiddenElf);
  return { hiddenSource, hiddenElf };
}

test('an uploaded DHAT file cannot make the host read or disassemble files that are not source or ELF', async () => {
  const { hiddenSource, hiddenElf } = bait();
  const { file: dhatFile } = recordDhat(await compileAllocSites(), ['200']);
  const dhat = JSON.parse(readFileSync(dhatFile, 'utf8')) as { ftbl: string[]; pps: { fs: number[] }[] };
  const crafted = [
    '0x401000: leak_passwd (/etc/passwd:1:1)',
    `0x401010: leak_hidden (${hiddenSource}:1)`,
    '0x401020: not_elf (in /etc/passwd)',
    `0x401030: work_40 (in ${hiddenElf})`,
  ];
  const first = dhat.ftbl.length;
  dhat.ftbl.push(...crafted);
  dhat.pps[0].fs = [first, first + 1, first + 2, first + 3, ...dhat.pps[0].fs];
  const craftedFile = join(base, 'crafted.dhat.json');
  writeFileSync(craftedFile, JSON.stringify(dhat));

  const host = newHost();
  try {
    const { profileId, profile } = await upload(host, craftedFile);
    assert.ok(profile.strings.includes('/etc/passwd') && profile.strings.includes(hiddenSource), 'the importer kept the crafted names');
    for (const path of ['/etc/passwd', hiddenSource]) {
      const read = await call<SourceReadResult>(host, 'readSource', { profileId, path });
      assert.equal(read.kind, 'refused', path);
      assert.match(read.kind === 'refused' ? read.message : '', /refused: the profile was uploaded/);
      const locate = await call<LocateSourceResult>(host, 'locateSource', { profileId, path });
      assert.equal(locate.kind, 'refused', 'no dialog for it either');
    }
    // Even a remap the user types cannot turn a refused name into a read.
    await call<SourceRemaps>(host, 'setSourceRemaps', { profileId, remaps: [{ from: '/etc', to: '/etc' }] });
    assert.equal((await call<SourceReadResult>(host, 'readSource', { profileId, path: '/etc/passwd' })).kind, 'refused');

    assert.match(await failure(host, 'disassemble', { profileId, library: '/etc/passwd', functionName: 'not_elf', offsets: [0] }), /\/etc\/passwd: refused: not an ELF file/);
    assert.match(await failure(host, 'disassemble', { profileId, library: hiddenElf, functionName: 'work_40', offsets: [0] }), /refused: the profile was uploaded.*hidden/);
  } finally {
    host.dispose();
  }
});

test('uploaded perf script text naming /etc/passwd and a hidden binary is refused; the recording uploaded still shows its source', async () => {
  const { hiddenSource, hiddenElf } = bait();
  const real = readFileSync(await perfScriptText(recording, ['+srcline']), 'utf8');
  const craftedSample = [
    'cpu_hot 1 1.000000:    1000000 cpu-clock: ',
    '\t            1000 leak_passwd+0x0 (/etc/passwd)',
    '  /etc/passwd:1',
    '\t            1010 work_40+0x0 (' + hiddenElf + ')',
    `  ${hiddenSource}:1`,
    '',
    '',
  ].join('\n');
  const craftedFile = join(base, 'crafted.perf-script.txt');
  writeFileSync(craftedFile, craftedSample + real);

  const host = newHost();
  try {
    const crafted = await upload(host, craftedFile);
    assert.ok(crafted.profile.strings.includes(hiddenSource), 'the importer kept the crafted srcline');
    for (const path of ['/etc/passwd', hiddenSource]) {
      assert.equal((await call<SourceReadResult>(host, 'readSource', { profileId: crafted.profileId, path })).kind, 'refused', path);
    }
    assert.match(await failure(host, 'disassemble', { profileId: crafted.profileId, library: '/etc/passwd', functionName: 'leak_passwd', offsets: [0] }), /not an ELF file/);
    assert.match(await failure(host, 'disassemble', { profileId: crafted.profileId, library: hiddenElf, functionName: 'work_40', offsets: [0] }), /hidden/);
    // The same file opened by path (the user's own) reads what its debug info names.
    const opened = await call<OpenedProfile>(host, 'openFile', { path: craftedFile, taskId: 'crafted-by-path' });
    assert.equal((await call<SourceReadResult>(host, 'readSource', { profileId: opened.profileId, path: hiddenSource })).kind, 'found');
    const listing = await call<DisassembleResult>(host, 'disassemble', { profileId: opened.profileId, library: hiddenElf, functionName: 'work_40', offsets: [0] });
    assert.equal(listing.kind, 'ok');

    // A real recording uploaded: its source is read, and its binary disassembled.
    const uploaded = await upload(host, recording);
    const read = await call<SourceReadResult>(host, 'readSource', { profileId: uploaded.profileId, path: join(builtAt, 'cpu_hot.c') });
    assert.equal(read.kind === 'found' ? read.readFrom : read.kind, join(builtAt, 'cpu_hot.c'));
    const work40 = Array.from({ length: uploaded.profile.funcs.length }, (_, f) => f).find((f) => stringAt(uploaded.profile, uploaded.profile.funcs.name[f]) === 'work_40')!;
    const address = Array.from({ length: uploaded.profile.frames.length }, (_, i) => i).find((i) => uploaded.profile.frames.func[i] === work40)!;
    const asm = await call<DisassembleResult>(host, 'disassemble', {
      profileId: uploaded.profileId,
      library: join(builtAt, 'cpu_hot'),
      functionName: 'work_40',
      offsets: [uploaded.profile.frames.address[address]],
    });
    assert.equal(asm.kind === 'ok' ? asm.symbol : JSON.stringify(asm), 'work_40');
  } finally {
    host.dispose();
  }
});

test('a profile evicted by newer ones says so, not that it was closed', async () => {
  const host = newHost();
  try {
    const { profile } = await open(host);
    const sources = createSourceHost({ settingsDir });
    const first = sources.register(profile, 'opened-by-path');
    for (let i = 0; i < 64; i++) sources.register(profile, 'opened-by-path');
    await assert.rejects(async () => sources.handlers.getSourceRemaps({ profileId: first }), /evicted/);
    await assert.rejects(async () => sources.handlers.getSourceRemaps({ profileId: 'never-seen' }), /closed/);
  } finally {
    host.dispose();
  }
});
