/**
 * Runs a CIE's initial instructions and an FDE's instructions up to a code
 * address, giving the row of the CFI table that applies there: how to compute
 * the CFA, and where each register (among them the return address) was saved.
 *
 * Each instruction consumes at least one byte and there are no backward
 * jumps, so execution is bounded by the FDE's length; the remember-state
 * stack has a depth limit. Anything malformed — truncated operands, a
 * restore_state without a remember_state, an opcode we do not know — yields
 * no row (null), and the unwinder stops there instead of guessing.
 *
 * Spec: DWARF 5, section 6.4.2 (call frame instructions) and 7.24 (encodings);
 * GNU extensions as in the LSB (DW_CFA_GNU_args_size,
 * DW_CFA_GNU_negative_offset_extended); Arm's DW_CFA_AARCH64_negate_ra_state.
 */

import { ByteReader, CfiError, readEncodedPointer } from './byte-reader';
import type { Cie, Fde } from './cfi';
import { matchBregExpression } from './dwarf-expr';
import { REGISTER_FILE_SIZE, type UnwindArch } from './registers';

/** How a register of the caller is recovered (DWARF 5, 6.4.1 "register rules"). */
export const Rule = {
  /** No instruction mentioned it: unwinders keep the value (as libgcc does), readelf prints "u". */
  UNSET: 0,
  UNDEFINED: 1,
  SAME_VALUE: 2,
  /** Saved at CFA + value. */
  OFFSET: 3,
  /** Is CFA + value. */
  VAL_OFFSET: 4,
  /** Is in register `value`. */
  REGISTER: 5,
  /** Saved at the address an expression computes (the CFA pushed first). */
  EXPRESSION: 6,
  /** Is the value an expression computes (the CFA pushed first). */
  VAL_EXPRESSION: 7,
} as const;
export type RuleKind = (typeof Rule)[keyof typeof Rule];

/** One row of the CFI table, compacted: only registers with a rule other than UNSET are listed. */
export interface CfaRow {
  /** The code address (ELF vaddr) this row starts at. */
  loc: number;
  /** CFA = value of register cfaReg + cfaOffset, unless cfaExpr is set. */
  cfaReg: number;
  cfaOffset: number;
  cfaExpr: Uint8Array | null;
  /** cfaExpr when it is `DW_OP_bregN offset [DW_OP_deref]` (signal frames): computed without the evaluator. */
  cfaFast: { reg: number; offset: number; deref: boolean } | null;
  /**
   * Parallel arrays, sorted by register number (all below REGISTER_FILE_SIZE).
   * Plain arrays rather than typed ones: rows are small and made by the
   * thousand, and small typed arrays cost far more to allocate.
   */
  ruleRegs: number[];
  ruleKinds: RuleKind[];
  /** Offset for OFFSET / VAL_OFFSET, source register for REGISTER. */
  ruleValues: number[];
  /** Expression blocks for EXPRESSION / VAL_EXPRESSION rules, else null entries; null when there are none. */
  ruleExprs: (Uint8Array | null)[] | null;
  /**
   * For expression rules that are just `DW_OP_bregN offset` (how signal
   * frames describe every saved register): N, with the offset in ruleValues,
   * so the unwinder adds instead of evaluating; -1 for other rules. Null when
   * the row has no such rule.
   */
  ruleBases: number[] | null;
  /** The return-address column named by the CIE, and its rule in this row. */
  raReg: number;
  raRule: RuleKind;
  /** The CIE's 'S' augmentation: this frame was interrupted, its pc is not a return address. */
  signalFrame: boolean;
  /** aarch64: the return address is signed with pointer authentication at this point. */
  raSigned: boolean;
}

/** The rule of one register in a row (UNSET when it has none). */
export function ruleOf(row: CfaRow, reg: number): { kind: RuleKind; value: number; expr: Uint8Array | null } {
  for (let i = 0; i < row.ruleRegs.length; i++) {
    if (row.ruleRegs[i] === reg) return { kind: row.ruleKinds[i], value: row.ruleValues[i], expr: row.ruleExprs?.[i] ?? null };
  }
  return { kind: Rule.UNSET, value: 0, expr: null };
}

const MAX_REMEMBERED_STATES = 64;
// A local copy: imported bindings can cost a property read per use, and these loops run per instruction.
const NREGS = REGISTER_FILE_SIZE;

/** The mutable row while instructions run. */
class RowState {
  kinds: RuleKind[] = new Array<RuleKind>(NREGS).fill(Rule.UNSET);
  values: number[] = new Array<number>(NREGS).fill(0);
  /** Expression blocks by register; allocated on the first expression rule (most rows have none). */
  exprs: (Uint8Array | null)[] | null = null;
  cfaReg = -1;
  cfaOffset = 0;
  cfaExpr: Uint8Array | null = null;
  raSigned = false;

  clone(): RowState {
    const copy = new RowState();
    copy.copyFrom(this);
    return copy;
  }

  copyFrom(from: RowState): void {
    for (let reg = 0; reg < NREGS; reg++) {
      this.kinds[reg] = from.kinds[reg];
      this.values[reg] = from.values[reg];
    }
    this.exprs = from.exprs ? from.exprs.slice() : null;
    this.cfaReg = from.cfaReg;
    this.cfaOffset = from.cfaOffset;
    this.cfaExpr = from.cfaExpr;
    this.raSigned = from.raSigned;
  }

  set(reg: number, kind: RuleKind, value: number, expr: Uint8Array | null = null): void {
    if (reg >= NREGS) return; // vector registers: never needed to find a caller
    this.kinds[reg] = kind;
    this.values[reg] = value;
    if (expr) this.exprs ??= new Array<Uint8Array | null>(NREGS).fill(null);
    if (this.exprs) this.exprs[reg] = expr;
  }

  /** DW_CFA_restore: back to the rule the CIE's initial instructions gave. */
  restore(reg: number, initial: RowState | null): void {
    if (reg >= NREGS) return;
    if (initial) this.set(reg, initial.kinds[reg], initial.values[reg], initial.exprs?.[reg] ?? null);
    else this.set(reg, Rule.UNSET, 0);
  }
}

const scratch = new RowState();

/** Each CIE's initial row, computed once: every FDE of the CIE starts from it. Null: malformed. */
const initialRows = new WeakMap<Cie, RowState | null>();

function initialRow(fde: Fde, arch: UnwindArch | null): RowState | null {
  const cie = fde.cie;
  let initial = initialRows.get(cie);
  if (initial === undefined) {
    const state = new RowState();
    // Location-advancing instructions in a CIE would be odd; run them relative to this FDE's start, unbounded.
    initial = runInstructions(fde, cie.instStart, cie.instEnd, state, null, Number.POSITIVE_INFINITY, arch) === null ? null : state;
    initialRows.set(cie, initial);
  }
  return initial;
}

/** A row and the code addresses it applies to: [row.loc, end). */
export interface CfaRowSpan {
  row: CfaRow;
  end: number;
}

/**
 * The row in effect at `pc` (an ELF vaddr inside the FDE's range) with the
 * addresses it covers, or null when the instructions are malformed or use
 * something unsupported. Every pc of the span gives the same row, so the
 * caller can keep one per span instead of one per pc (a leaf pc is new in
 * almost every sample).
 */
export function computeRowSpan(fde: Fde, pc: number, arch: UnwindArch | null): CfaRowSpan | null {
  try {
    const initial = initialRow(fde, arch);
    if (!initial) return null;
    const state = scratch; // computeRowSpan never re-enters, so one working row serves every call
    state.copyFrom(initial);
    const loc = runInstructions(fde, fde.instStart, fde.instEnd, state, initial, pc, arch);
    if (loc === null) return null;
    const row = toRow(state, loc, fde.cie.raReg, fde.cie.signalFrame);
    return row === null ? null : { row, end: Math.min(nextRowLoc, fde.pcEnd) };
  } catch (error) {
    if (error instanceof CfiError) return null;
    throw error;
  }
}

/** Where the row the last runInstructions() reached ends: the advance it stopped before, or +Infinity at the program's end. */
let nextRowLoc = Number.POSITIVE_INFINITY;

/**
 * Executes instructions in [start, end) of the FDE's section, stopping before
 * the first advance that would pass `target`. Returns the location of the
 * row reached (and sets nextRowLoc), or null on a malformed program.
 */
function runInstructions(fde: Fde, start: number, end: number, state: RowState, initial: RowState | null, target: number, arch: UnwindArch | null): number | null {
  const { section, cie } = fde;
  const reader = new ByteReader(section.data, start, end, section.littleEndian, section.view);
  const caf = cie.codeAlign;
  const daf = cie.dataAlign;
  const remembered: RowState[] = [];
  let loc = fde.pcBegin;
  nextRowLoc = Number.POSITIVE_INFINITY;

  while (reader.remaining > 0) {
    const op = reader.u8();
    const low = op & 0x3f;
    switch (op & 0xc0) {
      case 0x40: {
        // DW_CFA_advance_loc
        const next = loc + low * caf;
        if (next > target) return stopBefore(next, loc);
        loc = next;
        continue;
      }
      case 0x80:
        state.set(low, Rule.OFFSET, reader.uleb() * daf);
        continue;
      case 0xc0:
        state.restore(low, initial);
        continue;
    }
    switch (op) {
      case 0x00: // nop
        break;
      case 0x01: {
        // set_loc: an address in the FDE's pointer encoding
        const next = section.kind === 'eh_frame' ? readEncodedPointer(reader, cie.fdeEncoding, cie.addressSize, section.bases) : reader.unsigned(cie.addressSize);
        if (next < loc) return null; // rows must move forward
        if (next > target) return stopBefore(next, loc);
        loc = next;
        break;
      }
      case 0x02:
      case 0x03:
      case 0x04: {
        // advance_loc1/2/4
        const delta = op === 0x02 ? reader.u8() : op === 0x03 ? reader.u16() : reader.u32();
        const next = loc + delta * caf;
        if (next > target) return stopBefore(next, loc);
        loc = next;
        break;
      }
      case 0x05: // offset_extended
        state.set(reader.uleb(), Rule.OFFSET, reader.uleb() * daf);
        break;
      case 0x06: // restore_extended
        state.restore(reader.uleb(), initial);
        break;
      case 0x07: // undefined
        state.set(reader.uleb(), Rule.UNDEFINED, 0);
        break;
      case 0x08: // same_value
        state.set(reader.uleb(), Rule.SAME_VALUE, 0);
        break;
      case 0x09: {
        // register
        const reg = reader.uleb();
        state.set(reg, Rule.REGISTER, reader.uleb());
        break;
      }
      case 0x0a: // remember_state (the CFA rule is part of the state: DWARF issue 230103.1)
        if (remembered.length >= MAX_REMEMBERED_STATES) return null;
        remembered.push(state.clone());
        break;
      case 0x0b: {
        // restore_state
        const saved = remembered.pop();
        if (!saved) return null;
        state.copyFrom(saved);
        break;
      }
      case 0x0c: // def_cfa
        state.cfaReg = reader.uleb();
        state.cfaOffset = reader.uleb();
        state.cfaExpr = null;
        break;
      case 0x0d: // def_cfa_register: keeps the offset
        state.cfaReg = reader.uleb();
        state.cfaExpr = null;
        break;
      case 0x0e: // def_cfa_offset: only meaningful for a register+offset CFA
        if (state.cfaExpr) return null;
        state.cfaOffset = reader.uleb();
        break;
      case 0x0f: // def_cfa_expression
        state.cfaExpr = block(reader);
        state.cfaReg = -1;
        state.cfaOffset = 0;
        break;
      case 0x10: {
        // expression
        const reg = reader.uleb();
        state.set(reg, Rule.EXPRESSION, 0, block(reader));
        break;
      }
      case 0x11: {
        // offset_extended_sf
        const reg = reader.uleb();
        state.set(reg, Rule.OFFSET, reader.sleb() * daf);
        break;
      }
      case 0x12: // def_cfa_sf
        state.cfaReg = reader.uleb();
        state.cfaOffset = reader.sleb() * daf;
        state.cfaExpr = null;
        break;
      case 0x13: // def_cfa_offset_sf
        if (state.cfaExpr) return null;
        state.cfaOffset = reader.sleb() * daf;
        break;
      case 0x14: {
        // val_offset
        const reg = reader.uleb();
        state.set(reg, Rule.VAL_OFFSET, reader.uleb() * daf);
        break;
      }
      case 0x15: {
        // val_offset_sf
        const reg = reader.uleb();
        state.set(reg, Rule.VAL_OFFSET, reader.sleb() * daf);
        break;
      }
      case 0x16: {
        // val_expression
        const reg = reader.uleb();
        state.set(reg, Rule.VAL_EXPRESSION, 0, block(reader));
        break;
      }
      case 0x2d:
        // DW_CFA_AARCH64_negate_ra_state on aarch64; DW_CFA_GNU_window_save (SPARC) elsewhere
        if (arch !== 'aarch64') return null;
        state.raSigned = !state.raSigned;
        break;
      case 0x2e: // GNU_args_size: matters to exception landing pads, not to unwinding
        reader.uleb();
        break;
      case 0x2f: {
        // GNU_negative_offset_extended
        const reg = reader.uleb();
        state.set(reg, Rule.OFFSET, -reader.uleb() * daf);
        break;
      }
      default:
        return null; // unknown or vendor opcode: its operands' length is unknown, so nothing after it can be trusted
    }
  }
  return loc;
}

/** runInstructions() stops at `loc`, before an advance to `next`. */
function stopBefore(next: number, loc: number): number {
  nextRowLoc = next;
  return loc;
}

function block(reader: ByteReader): Uint8Array {
  const length = reader.uleb();
  const start = reader.pos;
  reader.skip(length);
  return reader.data.subarray(start, start + length);
}

function toRow(state: RowState, loc: number, raReg: number, signalFrame: boolean): CfaRow | null {
  if (state.cfaExpr === null && state.cfaReg < 0) return null; // no CFA rule at all
  const ruleRegs: number[] = [];
  const ruleKinds: RuleKind[] = [];
  const ruleValues: number[] = [];
  const ruleExprs: (Uint8Array | null)[] | null = state.exprs ? [] : null;
  let ruleBases: number[] | null = null;
  for (let reg = 0; reg < NREGS; reg++) {
    const kind = state.kinds[reg];
    if (kind === Rule.UNSET) continue;
    let value = state.values[reg];
    const expr = state.exprs ? state.exprs[reg] : null;
    if (expr && ruleExprs) {
      const fast = matchBregExpression(expr);
      if (fast && !fast.deref && fast.reg < NREGS) {
        ruleBases ??= new Array<number>(ruleRegs.length).fill(-1);
        value = fast.offset;
      }
      ruleBases?.push(fast && !fast.deref && fast.reg < NREGS ? fast.reg : -1);
    } else {
      ruleBases?.push(-1);
    }
    ruleRegs.push(reg);
    ruleKinds.push(kind);
    ruleValues.push(value);
    ruleExprs?.push(expr);
  }
  const cfaMatch = state.cfaExpr ? matchBregExpression(state.cfaExpr) : null;
  const cfaFast = cfaMatch && cfaMatch.reg < NREGS ? cfaMatch : null;
  return {
    loc,
    cfaReg: state.cfaReg,
    cfaOffset: state.cfaOffset,
    cfaExpr: state.cfaExpr,
    cfaFast,
    ruleRegs,
    ruleKinds,
    ruleValues,
    ruleExprs,
    ruleBases,
    raReg,
    raRule: raReg < NREGS ? state.kinds[raReg] : Rule.UNSET,
    signalFrame,
    raSigned: state.raSigned,
  };
}
