/**
 * Glue from the reader's UserStackSample (sample.ts) to the DWARF CFI
 * unwinder in src-main/symbols/unwind/: registers into the unwinder's
 * DWARF numbering, the sampled stack pointer as the stack copy's start, and
 * for each pc the CFI and load bias of the binary the recording mapped there.
 *
 * Binaries are found as the symbol resolver finds them (locate.ts: the
 * recorded path when its build-id matches, else perf's ~/.debug cache, with
 * .debug_frame from a separate debug file), without debuginfod: unwinding
 * asks per mapping, during the read, and must not wait on the network.
 * Each binary is opened once; a failure is remembered too.
 *
 * A caller's frame is given as its call site, the return address minus one,
 * as perf's unwinders (libdw, libunwind) give it: the instruction after a
 * call often belongs to the next line or to an inlined function that starts
 * there (CPython's Py_DECREF after nearly every call), so the return address
 * would name the wrong line and a wrong inline frame. The sampled pc, and
 * one interrupted by a signal, are exact and stay as they are.
 */

import { homedir } from 'node:os';
import type { ElfFile } from '../../symbols/elf/elf-file';
import { locateFiles } from '../../symbols/locate';
import type { CfiTable } from '../../symbols/unwind/cfi';
import { CfiCache, mappingBias } from '../../symbols/unwind/modules';
import { ARCH_REGISTERS, REGISTER_FILE_SIZE, perfRegsFromView, type UnwindArch } from '../../symbols/unwind/registers';
import { unwindInto, type UnwindInput, type UnwindModule } from '../../symbols/unwind/unwind';
import type { ModuleLookup, UserStackSample, UserStackUnwinder } from './sample';

/** perf's default --max-stack. */
const MAX_FRAMES = 127;

export interface DisposableUnwinder extends UserStackUnwinder {
  dispose(): void;
}

function archOf(name: string | null): UnwindArch | null {
  if (name === 'x86_64') return 'x86_64';
  if (name === 'aarch64' || name === 'arm64') return 'aarch64';
  return null;
}

export function createDwarfUnwinder(warn: (line: string) => void = () => {}): DisposableUnwinder {
  const cfis = new CfiCache();
  const files = new Map<string, { elf: ElfFile; debug: ElfFile | null } | null>();
  // By mapping id (stable for the read), with the mapping's range: the unwinder asks once per frame,
  // so no key strings or objects are made per question.
  const modules = new Map<number, { module: UnwindModule | null; start: number; end: number }>();
  const locateOptions = { homeDir: homedir(), debugDirs: ['/usr/lib/debug'], debuginfod: null, warn };
  /** One DWARF register file, rewritten per sample (the unwinder copies it before changing anything). */
  const registerFile = new Float64Array(REGISTER_FILE_SIZE);

  const open = (path: string, buildId: string | null) => {
    const key = `${path}\0${buildId ?? ''}`;
    let found = files.get(key);
    if (found === undefined) {
      const located = locateFiles({ path, buildId }, locateOptions);
      found = located.binary ? { elf: located.binary, debug: located.debug } : null;
      files.set(key, found);
    }
    return found;
  };

  // The mapping the last frame's pc was in, for this sample only (the next may be another process):
  // most frames of a stack are in the same binary as the one before.
  let lastStart = 0;
  let lastEnd = 0;
  let lastModule: UnwindModule | null = null;

  const moduleAt = (lookup: ModuleLookup, pc: number): UnwindModule | null => {
    if (pc >= lastStart && pc < lastEnd) return lastModule;
    const id = lookup.find(pc);
    if (id < 0) return null;
    let known = modules.get(id);
    if (known === undefined) {
      let module: UnwindModule | null = null;
      const m = lookup.mapping(id);
      const found = open(m.path, m.buildId);
      if (found) {
        const cfi: CfiTable | null = cfis.get(m.path, m.buildId, () => ({ elf: found.elf, debugElf: found.debug }));
        const bias = mappingBias(found.elf, m.start, m.end - m.start, m.pgoff);
        if (cfi && bias !== null) module = { cfi, bias };
      }
      known = { module, start: m.start, end: m.end };
      modules.set(id, known);
    }
    lastStart = known.start;
    lastEnd = known.end;
    lastModule = known.module;
    return known.module;
  };

  // One input object and one findModule closure for every sample: the lookup of the sample being
  // unwound is set before each call.
  let currentLookup: ModuleLookup | null = null;
  const input: UnwindInput = {
    arch: 'x86_64',
    regs: registerFile,
    stack: { start: 0, bytes: new Uint8Array(0) },
    findModule: (pc) => moduleAt(currentLookup!, pc),
    maxFrames: MAX_FRAMES,
  };

  return {
    unwind(sample: UserStackSample, lookup: ModuleLookup): ArrayLike<number> {
      const arch = archOf(sample.arch);
      // The unwinder reads the stack copy as little-endian, which both supported architectures are.
      if (arch === null || !sample.littleEndian) return [];
      const regs = perfRegsFromView(arch, sample.regsMask, sample.regsView, sample.regsOffset, sample.littleEndian, registerFile);
      const sp = regs[ARCH_REGISTERS[arch].sp];
      if (!Number.isFinite(sp)) return [];
      currentLookup = lookup;
      lastStart = lastEnd = 0;
      input.arch = arch;
      input.stack.start = sp;
      input.stack.bytes = sample.stack;
      const done = unwindInto(input);
      currentLookup = null;
      const pcs = done.pcs;
      let next = 0; // into done.interrupted, ascending
      for (let i = 1; i < done.count; i++) {
        if (next < done.interrupted.length && done.interrupted[next] === i) next++;
        else pcs[i] -= 1;
      }
      return pcs.subarray(0, done.count);
    },
    dispose() {
      for (const found of files.values()) {
        found?.elf.close();
        found?.debug?.close();
      }
      files.clear();
      modules.clear();
      cfis.clear();
    },
  };
}
