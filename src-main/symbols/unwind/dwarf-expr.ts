/**
 * A bounded DWARF expression evaluator for CFI: DW_CFA_def_cfa_expression,
 * DW_CFA_expression and DW_CFA_val_expression blocks.
 *
 * In practice these come from a few hand-written places: glibc's PLT entries
 * (CFA = rsp + 8 + ((rip & 15) >= 11) << 3), signal trampolines (registers
 * saved in the ucontext on the stack, CFA loaded from it), and stack
 * realignment (CFA loaded from a slot). So the evaluator covers the stack,
 * arithmetic, comparison, branch, breg and deref operations, and answers
 * "unknown" (NaN) for anything else — an operation it does not know, a
 * register that was not sampled, memory outside the stack dump, a division by
 * zero — rather than guessing. A step budget and a stack limit bound corrupt
 * input (branches can loop).
 *
 * Values are 64-bit two's complement, held as bigint: the expressions mask
 * and shift full 64-bit addresses, which doubles cannot do exactly.
 *
 * Spec: DWARF 5, section 2.5 (DWARF expressions) and 6.4.2 (CFI use).
 */

import { CfiError } from './byte-reader';
import type { StackMemory } from './stack-memory';

const MAX_STEPS = 1000;
const MAX_STACK = 64;

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const s64 = (v: bigint) => BigInt.asIntN(64, v);

/**
 * Operand reads over the expression block. One cursor and one value stack
 * serve every evaluation (evaluation never re-enters): signal frames run
 * seventeen expressions per frame, so per-call allocations would show.
 */
class Cursor {
  bytes: Uint8Array = new Uint8Array(0);
  pos = 0;

  u8(): number {
    if (this.pos >= this.bytes.length) throw new CfiError('truncated DWARF expression');
    return this.bytes[this.pos++];
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  s16(): number {
    return (this.u16() << 16) >> 16;
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
      if (scale > 2 ** 56) throw new CfiError('ULEB128 too long');
    }
  }
  sleb(): number {
    let result = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 63) throw new CfiError('SLEB128 too long');
    } while (byte & 0x80);
    return byte & 0x40 ? result - scale : result;
  }
}

const cursor = new Cursor();
const stack: bigint[] = new Array<bigint>(MAX_STACK).fill(0n);
let depth = 0;

function pop(): bigint {
  if (depth === 0) throw new CfiError('DWARF expression stack underflow');
  return stack[--depth];
}

function push(value: bigint): void {
  if (depth >= MAX_STACK) throw new CfiError('DWARF expression stack overflow');
  stack[depth++] = u64(value);
}

/**
 * Evaluates `expr` and returns the value on top of the stack as a number, or
 * NaN when it cannot be computed. `initial` is pushed first (the CFA, for
 * DW_CFA_expression and DW_CFA_val_expression; nothing for the CFA rule).
 * `regs` is the DWARF-numbered register file of the frame being unwound.
 */
export function evaluateCfiExpression(expr: Uint8Array, regs: Float64Array, memory: StackMemory, initial: number | null): number {
  try {
    const result = run(expr, regs, memory, initial);
    return result === null ? Number.NaN : Number(u64(result));
  } catch (error) {
    if (error instanceof CfiError) return Number.NaN;
    throw error;
  }
}

/**
 * Recognizes the expressions signal trampolines are made of — `DW_OP_bregN
 * offset`, optionally followed by `DW_OP_deref` — so the unwinder can compute
 * them as register + offset without running the evaluator. Null for any
 * other expression.
 */
export function matchBregExpression(expr: Uint8Array): { reg: number; offset: number; deref: boolean } | null {
  try {
    cursor.bytes = expr;
    cursor.pos = 0;
    const op = cursor.u8();
    let reg: number;
    if (op >= 0x70 && op <= 0x8f) reg = op - 0x70;
    else if (op === 0x92) reg = cursor.uleb();
    else return null;
    const offset = cursor.sleb();
    if (cursor.pos === expr.length) return { reg, offset, deref: false };
    if (cursor.u8() === 0x06 && cursor.pos === expr.length) return { reg, offset, deref: true };
    return null;
  } catch (error) {
    if (error instanceof CfiError) return null;
    throw error;
  }
}

function registerValue(regs: Float64Array, reg: number): bigint | null {
  if (reg >= regs.length) return null;
  const value = regs[reg];
  return Number.isFinite(value) ? BigInt(value) : null;
}

function run(expr: Uint8Array, regs: Float64Array, memory: StackMemory, initial: number | null): bigint | null {
  const reader = cursor;
  reader.bytes = expr;
  reader.pos = 0;
  depth = 0;
  if (initial !== null) {
    if (!Number.isFinite(initial)) return null;
    push(BigInt(initial));
  }

  for (let steps = 0; reader.pos < expr.length; steps++) {
    if (steps >= MAX_STEPS) return null;
    const op = reader.u8();
    if (op >= 0x30 && op <= 0x4f) {
      push(BigInt(op - 0x30)); // DW_OP_lit0..31
      continue;
    }
    if (op >= 0x70 && op <= 0x8f) {
      // DW_OP_breg0..31: register + signed offset
      const base = registerValue(regs, op - 0x70);
      const offset = reader.sleb();
      if (base === null) return null;
      push(base + BigInt(offset));
      continue;
    }
    switch (op) {
      case 0x06: // deref
      case 0x94: {
        // deref_size
        const size = op === 0x06 ? 8 : reader.u8();
        const value = memory.readBig(Number(pop()), size);
        if (value === null) return null;
        push(value);
        break;
      }
      case 0x08:
        push(BigInt(reader.u8()));
        break;
      case 0x09:
        push(BigInt((reader.u8() << 24) >> 24));
        break;
      case 0x0a:
        push(BigInt(reader.u16()));
        break;
      case 0x0b:
        push(BigInt(reader.s16()));
        break;
      case 0x0c:
        push(BigInt(reader.u32()));
        break;
      case 0x0d:
        push(BigInt(reader.u32() | 0));
        break;
      case 0x0e:
      case 0x0f: {
        // const8u / const8s: read the halves so no precision is lost
        const lo = BigInt(reader.u32());
        const hi = BigInt(reader.u32());
        push((hi << 32n) | lo);
        break;
      }
      case 0x10:
        push(BigInt(reader.uleb()));
        break;
      case 0x11:
        push(BigInt(reader.sleb()));
        break;
      case 0x12: {
        // dup
        const top = pop();
        push(top);
        push(top);
        break;
      }
      case 0x13:
        pop();
        break;
      case 0x14: {
        // over
        if (depth < 2) return null;
        push(stack[depth - 2]);
        break;
      }
      case 0x15: {
        // pick
        const index = reader.u8();
        if (index >= depth) return null;
        push(stack[depth - 1 - index]);
        break;
      }
      case 0x16: {
        // swap
        const a = pop();
        const b = pop();
        push(a);
        push(b);
        break;
      }
      case 0x17: {
        // rot: (… c b a) → (… a c b)
        const a = pop();
        const b = pop();
        const c = pop();
        push(a);
        push(c);
        push(b);
        break;
      }
      case 0x19: {
        const v = s64(pop());
        push(v < 0n ? -v : v);
        break;
      }
      case 0x1a:
        push(pop() & pop());
        break;
      case 0x1b: {
        // div (signed)
        const divisor = s64(pop());
        const dividend = s64(pop());
        if (divisor === 0n) return null;
        push(dividend / divisor);
        break;
      }
      case 0x1c: {
        const subtrahend = pop();
        push(pop() - subtrahend);
        break;
      }
      case 0x1d: {
        // mod (unsigned)
        const divisor = pop();
        const dividend = pop();
        if (divisor === 0n) return null;
        push(dividend % divisor);
        break;
      }
      case 0x1e:
        push(pop() * pop());
        break;
      case 0x1f:
        push(-pop());
        break;
      case 0x20:
        push(~pop());
        break;
      case 0x21:
        push(pop() | pop());
        break;
      case 0x22:
        push(pop() + pop());
        break;
      case 0x23:
        push(pop() + BigInt(reader.uleb()));
        break;
      case 0x24:
      case 0x25:
      case 0x26: {
        // shl / shr (logical) / shra (arithmetic)
        const amount = pop();
        const value = pop();
        if (amount >= 64n) push(op === 0x26 && s64(value) < 0n ? -1n : 0n);
        else if (op === 0x24) push(value << amount);
        else if (op === 0x25) push(value >> amount);
        else push(s64(value) >> amount);
        break;
      }
      case 0x27:
        push(pop() ^ pop());
        break;
      case 0x28: {
        // bra: branch when the popped value is non-zero
        const offset = reader.s16();
        if (pop() !== 0n) jump(reader, offset);
        break;
      }
      case 0x29:
      case 0x2a:
      case 0x2b:
      case 0x2c:
      case 0x2d:
      case 0x2e: {
        // eq ge gt le lt ne — signed comparisons, per the spec
        const b = s64(pop());
        const a = s64(pop());
        const result = op === 0x29 ? a === b : op === 0x2a ? a >= b : op === 0x2b ? a > b : op === 0x2c ? a <= b : op === 0x2d ? a < b : a !== b;
        push(result ? 1n : 0n);
        break;
      }
      case 0x2f:
        jump(reader, reader.s16());
        break;
      case 0x92: {
        // bregx
        const base = registerValue(regs, reader.uleb());
        const offset = reader.sleb();
        if (base === null) return null;
        push(base + BigInt(offset));
        break;
      }
      case 0x96: // nop
        break;
      default:
        // DW_OP_addr (needs relocation), reg/regx (locations, not values), fbreg, TLS, typed ops, vendor ops
        return null;
    }
  }
  return depth > 0 ? stack[depth - 1] : null;
}

function jump(reader: Cursor, offset: number): void {
  const target = reader.pos + offset;
  if (target < 0 || target > reader.bytes.length) throw new CfiError('DWARF expression branch out of range');
  reader.pos = target;
}
