/**
 * Instruction costs (source-costs.ts, per sampled address) laid on the
 * disassembly (the host's objdump listing), and the rows the assembly view
 * draws: a source row whenever the line changes, then its instructions.
 *
 * A sampled address is where the CPU was (the leaf: self) or a return
 * address (a caller: total only). A leaf address starts an instruction; a
 * return address is the instruction after the call, so the caller part
 * (total - self) goes to the instruction holding address - 1: the call.
 */

import type { InstructionCosts } from '../../../src-shared/analysis/source-costs';
import type { Instruction } from '../../../src-shared/contract';

export type AssemblyRow =
  | { kind: 'source'; file: string | null; line: number }
  | { kind: 'insn'; index: number; insn: Instruction; self: number; total: number };

/** The index of the instruction holding `offset`, or -1 outside the listing. */
export function instructionAt(instructions: readonly Instruction[], offset: number): number {
  let lo = 0;
  let hi = instructions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (instructions[mid].offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  const index = lo - 1;
  if (index < 0) return -1;
  // Past the last instruction's start: only if close (instructions are at most 15 bytes on x86).
  if (index === instructions.length - 1 && offset - instructions[index].offset >= 16) return -1;
  return index;
}

export function instructionCosts(instructions: readonly Instruction[], costs: InstructionCosts | null): { self: Float64Array; total: Float64Array } {
  const self = new Float64Array(instructions.length);
  const total = new Float64Array(instructions.length);
  if (costs === null) return { self, total };
  for (let i = 0; i < costs.address.length; i++) {
    const address = costs.address[i];
    const leafAt = instructionAt(instructions, address);
    if (leafAt >= 0) {
      self[leafAt] += costs.self[i];
      total[leafAt] += costs.self[i];
    }
    const callerPart = costs.total[i] - costs.self[i];
    if (callerPart > 0) {
      const callAt = instructionAt(instructions, address - 1);
      if (callAt >= 0) total[callAt] += callerPart;
    }
  }
  return { self, total };
}

export function assemblyRows(instructions: readonly Instruction[], costs: InstructionCosts | null): AssemblyRow[] {
  const { self, total } = instructionCosts(instructions, costs);
  const rows: AssemblyRow[] = [];
  let file: string | null = null;
  let line = -2;
  instructions.forEach((insn, index) => {
    if (insn.line !== line || insn.file !== file) {
      file = insn.file;
      line = insn.line;
      if (line > 0) rows.push({ kind: 'source', file, line });
    }
    rows.push({ kind: 'insn', index, insn, self: self[index], total: total[index] });
  });
  return rows;
}
