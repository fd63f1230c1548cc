/**
 * CFI parsing and CFA-program execution, checked against readelf's own
 * interpretation (`readelf --debug-dump=frames-interp`) of the same binaries:
 * for every FDE readelf lists, the FDE we find for its first address has the
 * same range, and at the first and last byte of every row the CFA rule and
 * the return-address rule are the ones readelf prints.
 *
 * Binaries: the deep_stack fixture built for x86-64 with .eh_frame and with
 * .debug_frame only, the system libc (hand-written assembly, PLT and signal
 * trampolines with DWARF expressions), and the same for aarch64 (cross
 * compiled with pointer authentication, and the cross libc), whose
 * DW_CFA_AARCH64_negate_ra_state is checked against readelf's raw dump.
 *
 * Then: corrupt copies of a binary never crash or hang the parser or the
 * unwinder, and the expression evaluator computes glibc's PLT CFA.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { Rule, ruleOf, type CfaRow } from '../../src-main/symbols/unwind/cfa-program';
import { CfiTable } from '../../src-main/symbols/unwind/cfi';
import { evaluateCfiExpression } from '../../src-main/symbols/unwind/dwarf-expr';
import { ARCH_REGISTERS, perfRegsFromView, perfRegsToDwarf, REGISTER_FILE_SIZE, type UnwindArch } from '../../src-main/symbols/unwind/registers';
import { StackMemory } from '../../src-main/symbols/unwind/stack-memory';
import { unwindUserStackDetailed } from '../../src-main/symbols/unwind/unwind';
import { ARTIFACTS_DIR } from '../helpers/perf';
import { compileFixtureWith } from '../helpers/perf-raw-dump';

interface ReadelfRow {
  loc: number;
  cfa: string;
  ra: string;
}

interface ReadelfFde {
  section: string;
  pcBegin: number;
  pcEnd: number;
  rows: ReadelfRow[];
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

/**
 * Parses `readelf -wN --debug-dump=frames-interp` (no following of debug
 * links: only the file's own sections). FDEs without rows inherit their
 * CIE's initial row, which readelf prints under the CIE.
 */
function readelfFdes(binary: string): ReadelfFde[] {
  const fdes: ReadelfFde[] = [];
  const cieRows = new Map<string, ReadelfRow>();
  let section = '';
  let columns: string[] = [];
  let current: { kind: 'cie'; offset: string } | { kind: 'fde'; fde: ReadelfFde; cie: string } | null = null;
  const finish = () => {
    if (current?.kind === 'fde' && current.fde.rows.length === 0) {
      const inherited = cieRows.get(`${section}:${current.cie}`);
      if (inherited) current.fde.rows.push({ ...inherited, loc: current.fde.pcBegin });
    }
  };
  for (const line of run('readelf', ['-wN', '--debug-dump=frames-interp', binary]).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^Contents of the (\S+) section/.exec(line))) {
      finish();
      section = m[1];
      current = null;
    } else if ((m = /^([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ CIE /.exec(line))) {
      finish();
      current = { kind: 'cie', offset: m[1] };
      columns = [];
    } else if ((m = /^[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ FDE cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)$/.exec(line))) {
      finish();
      const fde: ReadelfFde = { section, pcBegin: parseInt(m[2], 16), pcEnd: parseInt(m[3], 16), rows: [] };
      fdes.push(fde);
      current = { kind: 'fde', fde, cie: m[1] };
      columns = [];
    } else if ((m = /^\s+LOC\s+CFA\s*(.*)$/.exec(line))) {
      columns = m[1].trim() === '' ? [] : m[1].trim().split(/\s+/);
    } else if (line.includes('ZERO terminator')) {
      finish();
      current = null;
    } else if (current && (m = /^([0-9a-f]{8,}) (\S+)\s*(.*)$/.exec(line))) {
      // A register rule prints as "r10 (r10)", with a space; every other value is one word.
      const values = m[3].match(/r\d+ \([^)]*\)|\S+/g) ?? [];
      const raIndex = columns.indexOf('ra');
      const row = { loc: parseInt(m[1], 16), cfa: m[2], ra: raIndex >= 0 && raIndex < values.length ? values[raIndex] : 'u' };
      if (current.kind === 'cie') cieRows.set(`${section}:${current.offset}`, row);
      else current.fde.rows.push(row);
    }
  }
  finish();
  return fdes;
}

/** Our row in readelf's notation (binutils dwarf.c, frame_display_row). */
function formatRow(row: CfaRow, arch: UnwindArch): { cfa: string; ra: string } {
  const names = ARCH_REGISTERS[arch].names;
  const signed = (n: number) => (n >= 0 ? `+${n}` : `${n}`);
  const cfa = row.cfaExpr ? 'exp' : `${names[row.cfaReg] ?? `r${row.cfaReg}`}${signed(row.cfaOffset)}`;
  const rule = ruleOf(row, row.raReg);
  const ra = {
    [Rule.UNSET]: 'u',
    [Rule.UNDEFINED]: 'u',
    [Rule.SAME_VALUE]: 's',
    [Rule.OFFSET]: `c${signed(rule.value)}`,
    [Rule.VAL_OFFSET]: `v${signed(rule.value)}`,
    [Rule.REGISTER]: `r${rule.value} (${names[rule.value]})`,
    [Rule.EXPRESSION]: 'exp',
    [Rule.VAL_EXPRESSION]: 'vexp',
  }[rule.kind];
  return { cfa, ra };
}

/** Compares every readelf row of `binary` with ours; returns how many rows were compared. */
function compareWithReadelf(binary: string, arch: UnwindArch, sections = ['.eh_frame', '.debug_frame']): number {
  const elf = ElfFile.open(binary);
  try {
    const cfi = CfiTable.fromElf(elf);
    assert.equal(cfi.arch, arch);
    const fdes = readelfFdes(binary).filter((f) => sections.includes(f.section) && f.pcEnd > f.pcBegin);
    assert.ok(fdes.length > 0, `readelf lists FDEs in ${binary}`);
    let compared = 0;
    const mismatches: string[] = [];
    for (const expected of fdes) {
      const fde = cfi.findFde(expected.pcBegin);
      // Where .eh_frame and .debug_frame both cover a function, lookups answer from .eh_frame.
      if (expected.section === '.debug_frame' && fde?.section.kind === 'eh_frame') continue;
      assert.ok(fde, `${binary}: an FDE for 0x${expected.pcBegin.toString(16)}`);
      assert.deepEqual([fde.pcBegin, fde.pcEnd], [expected.pcBegin, expected.pcEnd], `${binary}: FDE range at 0x${expected.pcBegin.toString(16)}`);
      const rows = expected.rows.filter((r) => r.loc < expected.pcEnd);
      rows.forEach((row, i) => {
        const rowEnd = i + 1 < rows.length ? rows[i + 1].loc : expected.pcEnd;
        if (rowEnd <= row.loc) return; // readelf prints a superseded row when two advances meet
        for (const pc of new Set([row.loc, rowEnd - 1])) {
          const ours = cfi.rowAt(pc);
          const got = ours ? formatRow(ours, arch) : { cfa: 'no row', ra: 'no row' };
          compared++;
          if (got.cfa !== row.cfa || got.ra !== row.ra) {
            mismatches.push(`0x${pc.toString(16)}: readelf ${row.cfa} ${row.ra}, ours ${got.cfa} ${got.ra}`);
          }
        }
      });
    }
    assert.deepEqual(mismatches.slice(0, 10), [], `${binary}: ${mismatches.length} of ${compared} rows differ`);
    console.log(`${binary}: ${fdes.length} FDEs, CFA and return-address rules equal to readelf at ${compared} pcs`);
    return compared;
  } finally {
    elf.close();
  }
}

function systemLibc(compiler: string): string {
  const path = run(compiler, ['-print-file-name=libc.so.6']).trim();
  assert.ok(path.startsWith('/'), `${compiler} names its libc.so.6 (got ${path})`);
  return path;
}

function requireTool(command: string, debianPackages: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  assert.ok(found, `${command} is needed for the aarch64 CFI tests: apt-get install ${debianPackages}`);
}

test('x86-64 .eh_frame of the fixture matches readelf on every row', () => {
  const binary = compileFixtureWith('deep_stack', 'deep_stack', ['-O2', '-g', '-fomit-frame-pointer']);
  const rows = compareWithReadelf(binary, 'x86_64');
  assert.ok(rows >= 20, `${rows} rows`);
});

test('x86-64 .eh_frame without .eh_frame_hdr (a scanned index) matches readelf on every row', () => {
  const binary = compileFixtureWith('deep_stack', 'deep_stack', ['-O2', '-g', '-fomit-frame-pointer']);
  const stripped = join(ARTIFACTS_DIR, 'build', 'deep_stack-no-eh-frame-hdr');
  run('objcopy', ['-R', '.eh_frame_hdr', binary, stripped]);
  const elf = ElfFile.open(stripped);
  assert.equal(elf.section('.eh_frame_hdr'), undefined);
  elf.close();
  compareWithReadelf(stripped, 'x86_64');
});

test('x86-64 .debug_frame (no unwind tables) matches readelf on every row', () => {
  const binary = compileFixtureWith('deep_stack', 'deep_stack-debug-frame', ['-O2', '-g', '-fomit-frame-pointer', '-fno-asynchronous-unwind-tables']);
  const elf = ElfFile.open(binary);
  const inDebugFrame = CfiTable.fromElf(elf).findFde(readelfFdes(binary).find((f) => f.section === '.debug_frame')!.pcBegin);
  elf.close();
  assert.equal(inDebugFrame?.section.kind, 'debug_frame', 'the functions are described only in .debug_frame');
  compareWithReadelf(binary, 'x86_64');
});

test('x86-64 system libc matches readelf on every row (PLT and signal-frame expressions included)', () => {
  const rows = compareWithReadelf(systemLibc('gcc'), 'x86_64');
  assert.ok(rows >= 10_000, `${rows} rows`);
});

test('aarch64 fixture (pointer authentication) and libc match readelf on every row', () => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross');
  const binary = compileFixtureWith('deep_stack', 'deep_stack-aarch64', ['-O2', '-g', '-fomit-frame-pointer', '-mbranch-protection=pac-ret'], 'aarch64-linux-gnu-gcc');
  compareWithReadelf(binary, 'aarch64');
  compareWithReadelf(systemLibc('aarch64-linux-gnu-gcc'), 'aarch64');
});

test('aarch64 return-address signing state follows DW_CFA_AARCH64_negate_ra_state', () => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross');
  const binary = compileFixtureWith('deep_stack', 'deep_stack-aarch64', ['-O2', '-g', '-fomit-frame-pointer', '-mbranch-protection=pac-ret'], 'aarch64-linux-gnu-gcc');
  // readelf's raw dump: per FDE, where the signing state toggles, is remembered and is restored.
  const fdes: { pcBegin: number; pcEnd: number; events: { loc: number; op: string }[] }[] = [];
  let loc = 0;
  for (const line of run('readelf', ['-wN', '--debug-dump=frames', binary]).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)$/.exec(line))) {
      fdes.push({ pcBegin: parseInt(m[1], 16), pcEnd: parseInt(m[2], 16), events: [] });
      loc = parseInt(m[1], 16);
    } else if ((m = /DW_CFA_(?:advance_loc\d?|set_loc): .* to ([0-9a-f]+)$/.exec(line))) loc = parseInt(m[1], 16);
    else if ((m = /DW_CFA_(AARCH64_negate_ra_state|remember_state|restore_state)$/.exec(line))) fdes.at(-1)?.events.push({ loc, op: m[1] });
  }
  const signedAt = (events: { loc: number; op: string }[], pc: number) => {
    const stack: boolean[] = [];
    let signed = false;
    for (const event of events.filter((e) => e.loc <= pc)) {
      if (event.op === 'remember_state') stack.push(signed);
      else if (event.op === 'restore_state') signed = stack.pop() ?? signed;
      else signed = !signed;
    }
    return signed;
  };
  const signing = fdes.filter((f) => f.events.some((e) => e.op === 'AARCH64_negate_ra_state'));
  assert.ok(signing.length >= 4, 'pac-ret functions in the fixture: the callers of hot, and main');
  const elf = ElfFile.open(binary);
  const cfi = CfiTable.fromElf(elf);
  for (const fde of signing) {
    for (let pc = fde.pcBegin; pc < fde.pcEnd; pc += 4) {
      const expected = signedAt(fde.events, pc);
      assert.equal(cfi.rowAt(pc)?.raSigned, expected, `signed at 0x${pc.toString(16)}`);
    }
  }
  elf.close();
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('corrupt CFI and random stacks never crash or hang the parser and the unwinder', () => {
  const binary = compileFixtureWith('deep_stack', 'deep_stack', ['-O2', '-g', '-fomit-frame-pointer']);
  const original = ElfFile.open(binary);
  const ranges = ['.eh_frame', '.eh_frame_hdr'].map((name) => original.section(name)!).map((s) => [s.offset, s.size] as const);
  const text = original.section('.text')!;
  original.close();
  const bytes = new Uint8Array(readFileSync(binary));
  const random = prng(12345);
  const copy = join(ARTIFACTS_DIR, 'build', 'deep_stack-corrupt');
  const started = Date.now();
  for (let round = 0; round < 60; round++) {
    const mutated = bytes.slice();
    for (let flips = 1 + Math.floor(random() * 12); flips > 0; flips--) {
      const [offset, size] = ranges[Math.floor(random() * ranges.length)];
      mutated[offset + Math.floor(random() * size)] = Math.floor(random() * 256);
    }
    writeFileSync(copy, mutated);
    const elf = ElfFile.open(copy);
    const cfi = CfiTable.fromElf(elf);
    for (let pc = text.addr - 16; pc < text.addr + text.size + 16; pc++) cfi.rowAt(pc);
    const stack = new Uint8Array(4096).map(() => Math.floor(random() * 256));
    const sp = 0x7ffd_0000_0000;
    for (let k = 0; k < 50; k++) {
      const regs = new Float64Array(REGISTER_FILE_SIZE).map(() => sp + Math.floor(random() * 4096));
      regs[16] = text.addr + Math.floor(random() * text.size);
      const result = unwindUserStackDetailed({ arch: 'x86_64', regs, stack: { start: sp, bytes: stack }, findModule: () => ({ cfi, bias: 0 }), maxFrames: 64 });
      assert.ok(result.pcs.length >= 1 && result.pcs.length <= 64);
    }
    elf.close();
  }
  assert.ok(Date.now() - started < 60_000, 'finished in bounded time');
});

test("the expression evaluator computes glibc's PLT CFA rule", () => {
  // CFA = rsp + 8 + (((rip & 15) >= 11) << 3): DW_OP_breg7 8; DW_OP_breg16 0; lit15; and; lit11; ge; lit3; shl; plus
  const plt = Uint8Array.of(0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22);
  const sp = 0x7ffc_1234_5670;
  const memory = new StackMemory(sp, new Uint8Array(64));
  for (let low = 0; low < 16; low++) {
    const regs = new Float64Array(REGISTER_FILE_SIZE).fill(Number.NaN);
    regs[7] = sp;
    regs[16] = 0x5555_5555_5020 + low;
    assert.equal(evaluateCfiExpression(plt, regs, memory, null), sp + 8 + (low >= 11 ? 8 : 0), `rip & 15 = ${low}`);
  }
  // An unsampled register, a read outside the stack copy and an unknown opcode all answer NaN.
  const unknownRegs = new Float64Array(REGISTER_FILE_SIZE).fill(Number.NaN);
  assert.ok(Number.isNaN(evaluateCfiExpression(plt, unknownRegs, memory, null)));
  const deref = Uint8Array.of(0x77, 0x80, 0x01, 0x06); // breg7 +128; deref: past the 64 dumped bytes
  const regs = new Float64Array(REGISTER_FILE_SIZE).fill(sp);
  assert.ok(Number.isNaN(evaluateCfiExpression(deref, regs, memory, null)));
  assert.ok(Number.isNaN(evaluateCfiExpression(Uint8Array.of(0xe0), regs, memory, null)));
  // A branch back to itself stops at the step budget.
  assert.ok(Number.isNaN(evaluateCfiExpression(Uint8Array.of(0x2f, 0xfd, 0xff), regs, memory, null)));
});

test('perf register order maps to DWARF numbering', () => {
  // perf x86-64 order AX BX CX DX SI DI BP SP IP FLAGS CS SS … R8..R15, mask 0xff0fff as perf records it.
  const values = Array.from({ length: 20 }, (_, i) => BigInt(1000 + i));
  const regs = perfRegsToDwarf('x86_64', 0xff0fffn, values);
  const byPerfIndex = (i: number) => 1000 + (i < 12 ? i : i - 4);
  // DWARF: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 return address (the ip).
  assert.deepEqual([...regs.subarray(0, 17)], [0, 3, 2, 1, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 8].map(byPerfIndex));
  const armValues = Array.from({ length: 33 }, (_, i) => BigInt(i) | (i === 30 ? 0x7f12n << 48n : 0n));
  const arm = perfRegsToDwarf('aarch64', (1n << 33n) - 1n, armValues);
  assert.equal(arm[30], 30, 'lr without its pointer-authentication code');
  assert.equal(arm[31], 31);
  assert.equal(arm[32], 32);
  // Reading the same u64s straight from a record gives the same register files.
  for (const [arch, mask, list] of [['x86_64', 0xff0fffn, values], ['aarch64', (1n << 33n) - 1n, armValues]] as const) {
    const record = new DataView(new ArrayBuffer(16 + 8 * list.length));
    list.forEach((v, i) => record.setBigUint64(16 + 8 * i, v, true));
    assert.deepEqual([...perfRegsFromView(arch, mask, record, 16, true)], [...perfRegsToDwarf(arch, mask, list)], arch);
  }
});
