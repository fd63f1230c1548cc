/**
 * DWARF unwinding of one sampled user stack (perf --call-graph dwarf): from
 * the registers perf sampled and its copy of the stack, recover the chain of
 * return addresses using each binary's CFI.
 *
 * Per frame: find the binary of the pc, the CFI row at that pc (for caller
 * frames at pc - 1, since a return address may already belong to the next
 * function or line), compute the CFA, recover the caller's registers from the
 * row's rules (reading saved values from the stack copy), and continue at
 * the return address.
 *
 * It stops — without guessing — when a pc has no binary or no CFI (after an
 * optional x86-64 frame-pointer step), a needed register or stack slot is
 * unknown, the CFA leaves the stack copy, moves down the stack or repeats at
 * the same pc (a loop), the return address is undefined (the outermost
 * frame, e.g. _start) or zero, or maxFrames is reached.
 */

import { Rule, type CfaRow } from './cfa-program';
import type { CfiTable } from './cfi';
import { evaluateCfiExpression } from './dwarf-expr';
import { ARCH_REGISTERS, REGISTER_FILE_SIZE, type UnwindArch } from './registers';
import { StackMemory } from './stack-memory';

/** A binary mapped in the sampled process, as the caller's mmap table knows it. */
export interface UnwindModule {
  /** The binary's CFI, built once per binary (see CfiCache). */
  cfi: CfiTable;
  /** Load bias of this mapping: runtime address − bias = ELF vaddr (see mappingBias). */
  bias: number;
}

export interface UnwindInput {
  arch: UnwindArch;
  /** DWARF-numbered register file of the sampled thread (perfRegsToDwarf); NaN = not sampled. */
  regs: Float64Array;
  /** PERF_SAMPLE_STACK_USER: `start` is the sampled stack pointer, `bytes` the first dyn_size bytes of the dump. */
  stack: { start: number; bytes: Uint8Array };
  /** The binary mapped at a runtime address in the sampled process, or null (anonymous / JIT / unknown). */
  findModule(pc: number): UnwindModule | null;
  /** Upper bound on the returned frames, the sampled pc included. */
  maxFrames: number;
  /**
   * x86-64 only: when a pc has no binary or no CFI, take one frame-pointer
   * step if rbp points into the stack copy above rsp (default true). It can
   * skip a caller when the pc's function never set up rbp (a frameless leaf).
   */
  framePointerFallback?: boolean;
}

export type StopReason =
  /** The outermost frame: the return address is undefined (e.g. _start, clone) or zero. */
  | 'end-of-stack'
  | 'max-frames'
  | 'no-module'
  | 'no-cfi'
  /** A register or stack slot the rules need was not sampled / not in the stack copy. */
  | 'unknown-value'
  | 'outside-stack'
  /** The CFA moved down the stack, or repeated at the same pc: a corrupt or looping chain. */
  | 'not-increasing'
  /** No usable sampled pc. */
  | 'no-pc';

export interface UnwindResult {
  /** Leaf first. pcs[0] is the sampled pc; pcs[i > 0] are return addresses (see unwindUserStack). */
  pcs: number[];
  /**
   * Indexes i > 0 of pcs that are not return addresses but the exact pc a
   * signal interrupted (the frame below them is a signal trampoline, CIE
   * augmentation 'S'): symbolize these as they are, not at pc - 1. Usually empty.
   */
  interrupted: number[];
  stop: StopReason;
  /** How many frames came from the frame-pointer fallback. */
  framePointerFrames: number;
}

const TWO_48 = 2 ** 48;
// Local copies: imported bindings can cost a property read per use in the per-frame loop.
const NREGS = REGISTER_FILE_SIZE;
const { UNSET, UNDEFINED, OFFSET, VAL_OFFSET, REGISTER, EXPRESSION, VAL_EXPRESSION } = Rule;

/** The frames of the last unwindInto(): pcs[0, count), leaf first. Overwritten by the next call. */
export interface UnwindScratch {
  pcs: Float64Array;
  count: number;
  /** As UnwindResult.interrupted. */
  interrupted: number[];
  stop: StopReason;
  framePointerFrames: number;
}

// One register file, the new values of a row's registers, a stack reader and the frames, reused across
// calls (unwinding is synchronous and never re-enters): no allocation per frame or per sample.
const regs = new Float64Array(NREGS);
const updates = new Float64Array(NREGS);
const memory = new StackMemory();
const scratch: UnwindScratch = { pcs: new Float64Array(128), count: 0, interrupted: [], stop: 'no-pc', framePointerFrames: 0 };

/**
 * Unwinds one sample. Returns the call chain leaf first: element 0 is the
 * sampled pc itself; every later element is a return address, i.e. the
 * instruction after the call — symbolize `pc - 1` for those to get the call
 * site's function and line. (The one exception, a pc interrupted by a signal
 * whose handler is on the stack, is flagged by unwindUserStackDetailed's
 * `interrupted`; use that variant to symbolize it exactly.)
 */
export function unwindUserStack(input: UnwindInput): number[] {
  return unwindUserStackDetailed(input).pcs;
}

/** unwindUserStack, also saying why it stopped (for diagnostics, tests and stats). */
export function unwindUserStackDetailed(input: UnwindInput): UnwindResult {
  const done = unwindInto(input);
  return { pcs: Array.from(done.pcs.subarray(0, done.count)), interrupted: done.interrupted.slice(), stop: done.stop, framePointerFrames: done.framePointerFrames };
}

/**
 * unwindUserStackDetailed without allocating: the result lives in one
 * object shared by every call, valid until the next. The importer's path,
 * where a recording has tens of thousands of samples.
 */
export function unwindInto(input: UnwindInput): UnwindScratch {
  const { arch, maxFrames } = input;
  const info = ARCH_REGISTERS[arch];
  memory.reset(input.stack.start, input.stack.bytes);
  const fpFallback = arch === 'x86_64' && input.framePointerFallback !== false;
  // Element loops rather than TypedArray fill/set: for 33 values the builtin call costs more than the copy.
  const sampled = input.regs;
  for (let i = 0; i < NREGS; i++) regs[i] = i < sampled.length ? sampled[i] : Number.NaN;

  if (scratch.pcs.length < maxFrames) scratch.pcs = new Float64Array(maxFrames);
  const pcs = scratch.pcs;
  const interrupted = scratch.interrupted;
  interrupted.length = 0;
  let count = 0;
  let framePointerFrames = 0;
  let pc = regs[info.pc];
  let stop: StopReason = 'max-frames';
  if (!(pc > 0) || maxFrames < 1) return finish(0, 'no-pc', 0);
  pcs[count++] = pc;

  // CFAs never go down the stack: the first is at or above the sampled stack pointer, each later one
  // at or above the previous (equal for a caller without a frame of its own, like aarch64's _start;
  // an equal CFA with an unchanged pc is a loop).
  let previousCfa = Number.isFinite(regs[info.sp]) ? regs[info.sp] : memory.start;
  let exactPc = true; // the leaf pc, or the interrupted pc under a signal frame, is not a return address

  while (count < maxFrames) {
    const module = input.findModule(pc);
    const row: CfaRow | null = module ? module.cfi.rowAt((exactPc ? pc : pc - 1) - module.bias) : null;
    let cfa: number;
    let returnAddress: number;
    if (row) {
      if (row.raRule === UNDEFINED) {
        stop = 'end-of-stack'; // the outermost frame says so itself; its CFA no longer matters
        break;
      }
      cfa = computeCfa(row);
      if (!Number.isFinite(cfa)) {
        stop = 'unknown-value';
        break;
      }
      if (cfa < previousCfa) {
        stop = 'not-increasing';
        break;
      }
      if (cfa < memory.start || cfa > memory.end) {
        stop = 'outside-stack';
        break;
      }
      const outcome = applyRules(row, cfa, info.sp, arch === 'aarch64');
      if (outcome !== null) {
        stop = outcome;
        break;
      }
      returnAddress = regs[row.raReg];
      if (arch === 'aarch64' && returnAddress >= TWO_48) returnAddress %= TWO_48; // strip a pointer-authentication code
      exactPc = row.signalFrame;
    } else {
      const reason: StopReason = module ? 'no-cfi' : 'no-module';
      cfa = fpFallback ? framePointerStep(previousCfa) : Number.NaN;
      if (!Number.isFinite(cfa)) {
        stop = reason;
        break;
      }
      returnAddress = regs[info.pc];
      framePointerFrames++;
      exactPc = false;
    }
    if (returnAddress === 0) {
      stop = 'end-of-stack';
      break;
    }
    if (!(returnAddress > 0)) {
      stop = 'unknown-value';
      break;
    }
    if (cfa === previousCfa && returnAddress === pc) {
      stop = 'not-increasing';
      break;
    }
    regs[info.pc] = returnAddress;
    if (exactPc) interrupted.push(count);
    pcs[count++] = returnAddress;
    previousCfa = cfa;
    pc = returnAddress;
  }
  return finish(count, stop, framePointerFrames);
}

function finish(count: number, stop: StopReason, framePointerFrames: number): UnwindScratch {
  scratch.count = count;
  scratch.stop = stop;
  scratch.framePointerFrames = framePointerFrames;
  return scratch;
}

function computeCfa(row: CfaRow): number {
  const fast = row.cfaFast;
  if (fast) return fast.deref ? memory.readU64(regs[fast.reg] + fast.offset) : regs[fast.reg] + fast.offset;
  if (row.cfaExpr) return evaluateCfiExpression(row.cfaExpr, regs, memory, null);
  if (row.cfaReg < 0 || row.cfaReg >= NREGS) return Number.NaN;
  return regs[row.cfaReg] + row.cfaOffset;
}

/**
 * Turns the register file into the caller's, in place: every rule is
 * computed from the current frame's values first, then all are written.
 * Registers without a rule keep their value (libgcc's reading of an
 * unspecified rule); the stack pointer without a rule becomes the CFA, which
 * is its definition. Returns a stop reason when the return address cannot be
 * recovered, else null.
 */
function applyRules(row: CfaRow, cfa: number, sp: number, aarch64: boolean): StopReason | null {
  const { ruleRegs, ruleKinds, ruleValues, ruleBases, raReg } = row;
  if (raReg >= NREGS) return 'no-cfi';
  const raRule = row.raRule;
  // On x86-64 the return-address column is a pseudo register: with no rule it has no meaningful value.
  if (raRule === UNSET && !aarch64) return 'no-cfi';
  // aarch64 return addresses may carry a pointer-authentication code above bit 47.
  const pacReg = aarch64 ? raReg : -1;
  const count = ruleRegs.length;
  for (let i = 0; i < count; i++) {
    const reg = ruleRegs[i];
    const value = ruleValues[i];
    let result: number;
    switch (ruleKinds[i]) {
      case UNDEFINED:
        result = Number.NaN;
        break;
      case OFFSET:
        result = reg === pacReg ? memory.readU48(cfa + value) : memory.readU64(cfa + value);
        break;
      case VAL_OFFSET:
        result = cfa + value;
        break;
      case REGISTER:
        result = value < NREGS ? regs[value] : Number.NaN;
        break;
      case EXPRESSION: {
        const base = ruleBases === null ? -1 : ruleBases[i];
        const address = base >= 0 ? regs[base] + value : evaluateCfiExpression(row.ruleExprs![i]!, regs, memory, cfa);
        result = reg === pacReg ? memory.readU48(address) : memory.readU64(address);
        break;
      }
      case VAL_EXPRESSION: {
        const base = ruleBases === null ? -1 : ruleBases[i];
        result = base >= 0 ? regs[base] + value : evaluateCfiExpression(row.ruleExprs![i]!, regs, memory, cfa);
        break;
      }
      default: // SAME_VALUE
        result = regs[reg];
    }
    updates[i] = result;
  }
  regs[sp] = cfa;
  for (let i = 0; i < count; i++) regs[ruleRegs[i]] = updates[i];
  return null;
}

/**
 * One x86-64 frame-pointer step: [rbp] is the caller's rbp, [rbp + 8] the
 * return address, rbp + 16 the caller's rsp. Only taken when rbp points into
 * the stack copy, above rsp and above the previous CFA; every other register
 * becomes unknown. Returns the CFA, or NaN when the step is not plausible.
 */
function framePointerStep(previousCfa: number): number {
  const bp = regs[6];
  const sp = regs[7];
  if (!(bp >= sp) || bp % 8 !== 0 || !memory.contains(bp, 16) || bp + 16 <= previousCfa) return Number.NaN; // a frame record lies above the last CFA
  const savedBp = memory.readU64(bp);
  const returnAddress = memory.readU64(bp + 8);
  for (let i = 0; i < NREGS; i++) regs[i] = Number.NaN;
  regs[6] = savedBp;
  regs[7] = bp + 16;
  regs[16] = returnAddress;
  return bp + 16;
}
