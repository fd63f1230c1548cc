/**
 * aarch64 unwinding end to end, on a machine without arm64 hardware: the
 * deep_stack fixture is cross-compiled (static, -fomit-frame-pointer, with
 * pointer authentication: pac-ret), made to crash inside hot() and run under
 * qemu-user, whose core dump gives what a perf sample would: the registers
 * (NT_PRSTATUS: x0..x30, sp, pc) and the stack. The unwound chain, symbolized
 * by addr2line, must be hot <- c <- b <- a <- main, down to _start; and the
 * return addresses saved on the stack must really carry pointer-authentication
 * codes, so the test shows they are stripped.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElfFile, SegmentType } from '../../src-main/symbols/elf/elf-file';
import { CfiTable } from '../../src-main/symbols/unwind/cfi';
import { perfRegsToDwarf } from '../../src-main/symbols/unwind/registers';
import { unwindUserStackDetailed } from '../../src-main/symbols/unwind/unwind';
import { ARTIFACTS_DIR } from '../helpers/perf';
import { addr2lineFrames, compileFixtureWith } from '../helpers/perf-raw-dump';

const NT_PRSTATUS = 1;
/** struct elf_prstatus on aarch64: pr_reg (x0..x30, sp, pc, pstate) starts after 112 bytes of process info. */
const PR_REG_OFFSET = 112;
/** perf's default stack dump is 8 KiB; take as much here. */
const STACK_COPY = 8192;

function requireTool(command: string, debianPackages: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  assert.ok(found, `${command} is needed for the aarch64 unwinding test: apt-get install ${debianPackages}`);
}

/** Registers and stack of the crashed thread, from a qemu-user core file. */
function readCore(path: string): { regs: bigint[]; sp: number; stack: Uint8Array } {
  const core = ElfFile.open(path);
  try {
    let regs: bigint[] | null = null;
    for (const note of core.segments.filter((p) => p.type === SegmentType.NOTE)) {
      const bytes = core.read(note.offset, note.filesz);
      const view = core.view(bytes);
      for (let at = 0; at + 12 <= bytes.length && !regs; ) {
        const nameSize = view.getUint32(at, true);
        const descSize = view.getUint32(at + 4, true);
        const type = view.getUint32(at + 8, true);
        const descAt = at + 12 + ((nameSize + 3) & ~3);
        if (type === NT_PRSTATUS) regs = Array.from({ length: 33 }, (_, i) => view.getBigUint64(descAt + PR_REG_OFFSET + 8 * i, true));
        at = descAt + ((descSize + 3) & ~3);
      }
    }
    assert.ok(regs, 'the core has an NT_PRSTATUS note');
    const sp = Number(regs[31]);
    const segment = core.segments.find((p) => p.type === SegmentType.LOAD && sp >= p.vaddr && sp < p.vaddr + p.filesz);
    assert.ok(segment, 'the core holds the stack');
    const length = Math.min(STACK_COPY, segment.vaddr + segment.filesz - sp);
    return { regs, sp, stack: core.read(segment.offset + (sp - segment.vaddr), length) };
  } finally {
    core.close();
  }
}

test('aarch64 (pac-ret): a crash in hot() unwinds to hot <- c <- b <- a <- main <- ... <- _start', () => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross');
  requireTool('qemu-aarch64', 'qemu-user');
  const binary = compileFixtureWith('deep_stack', 'deep_stack-aarch64-crash', ['-static', '-O2', '-g', '-fomit-frame-pointer', '-mbranch-protection=pac-ret', '-DCRASH_IN_HOT'], 'aarch64-linux-gnu-gcc');
  const dir = join(ARTIFACTS_DIR, 'qemu-core');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // qemu-user writes qemu_<name>_<date>_<pid>.core in its working directory when RLIMIT_CORE allows.
  const run = spawnSync('sh', ['-c', 'ulimit -c unlimited && exec qemu-aarch64 "$0" 1', binary], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(run.status, 0, 'the fixture crashes on purpose');
  const coreFile = readdirSync(dir).find((f) => f.endsWith('.core'));
  assert.ok(coreFile, `qemu wrote a core file (stderr: ${run.stderr})`);
  const { regs, sp, stack } = readCore(join(dir, coreFile));

  const elf = ElfFile.open(binary);
  assert.equal(elf.type, 2, 'a static, non-PIE executable: loaded at its link addresses, bias 0');
  const module = { cfi: CfiTable.fromElf(elf), bias: 0 };
  const result = unwindUserStackDetailed({
    arch: 'aarch64',
    regs: perfRegsToDwarf('aarch64', (1n << 33n) - 1n, regs), // perf's aarch64 order is the same: x0..x30, sp, pc
    stack: { start: sp, bytes: stack },
    findModule: (pc) => (elf.segments.some((p) => p.type === SegmentType.LOAD && pc >= p.vaddr && pc < p.vaddr + p.memsz) ? module : null),
    maxFrames: 64,
  });
  elf.close();

  const names = addr2lineFrames(binary, result.pcs.map((pc, i) => (i === 0 ? pc : pc - 1))).map((frames) => frames.at(-1));
  console.log(`aarch64 chain: ${names.join(' <- ')} (stop: ${result.stop})`);
  assert.deepEqual(names.slice(0, 5), ['hot', 'c', 'b', 'a', 'main']);
  assert.equal(names.at(-1), '_start');
  assert.equal(result.stop, 'end-of-stack');

  // The callers of hot saved signed return addresses: some stack slot holds a return address with bits above 47 set.
  const view = new DataView(stack.buffer, stack.byteOffset, stack.byteLength);
  const signed = result.pcs.slice(1).filter((pc) => {
    for (let at = 0; at + 8 <= stack.length; at += 8) {
      const value = view.getBigUint64(at, true);
      if (value >> 48n !== 0n && Number(value & ((1n << 48n) - 1n)) === pc) return true;
    }
    return false;
  });
  assert.ok(signed.length >= 3, `return addresses stored with a pointer-authentication code: ${signed.length}`);
});
