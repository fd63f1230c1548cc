/**
 * Register numbering: the DWARF numbers CFI speaks in, and the order perf
 * stores PERF_SAMPLE_REGS_USER in.
 *
 * Sources: System V x86-64 psABI, "DWARF Register Number Mapping" (0 rax,
 * 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 return
 * address); Arm "DWARF for the Arm 64-bit Architecture" (0-30 x0-x30, 31 sp,
 * 32 pc, 34 RA_SIGN_STATE); Linux arch/x86/include/uapi/asm/perf_regs.h and
 * arch/arm64/include/uapi/asm/perf_regs.h for perf's order.
 */

export type UnwindArch = 'x86_64' | 'aarch64';

/**
 * The unwinder's register file holds DWARF registers 0..REGISTER_FILE_SIZE-1,
 * enough for every integer register of both architectures. Rules for higher
 * numbers (vector registers) are dropped: no CFA or return address is ever
 * computed from them.
 */
export const REGISTER_FILE_SIZE = 33;

export interface ArchRegisters {
  /** DWARF number of the stack pointer; the caller's value is the CFA. */
  sp: number;
  /** DWARF number of the frame pointer (rbp / x29). */
  fp: number;
  /** Where the sampled pc is kept in the register file (x86-64: column 16, the return-address column). */
  pc: number;
  /** Names readelf prints, by DWARF number, for tests and diagnostics. */
  names: readonly string[];
}

const x86Names = ['rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip'];
const arm64Names = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc'];

export const ARCH_REGISTERS: Record<UnwindArch, ArchRegisters> = {
  x86_64: { sp: 7, fp: 6, pc: 16, names: x86Names },
  aarch64: { sp: 31, fp: 29, pc: 32, names: arm64Names },
};

/** ELF e_machine → architecture, or null for machines the unwinder does not handle. */
export function archOfMachine(machine: number): UnwindArch | null {
  if (machine === 62) return 'x86_64';
  if (machine === 183) return 'aarch64';
  return null;
}

/**
 * perf register index → DWARF number (-1: not a DWARF register). x86-64 perf
 * order is AX BX CX DX SI DI BP SP IP FLAGS CS SS DS ES FS GS R8..R15; the IP
 * goes to column 16 so the register file carries the pc like any other value.
 */
const PERF_TO_DWARF: Record<UnwindArch, readonly number[]> = {
  x86_64: [0, 3, 2, 1, 4, 5, 6, 7, 16, -1, -1, -1, -1, -1, -1, -1, 8, 9, 10, 11, 12, 13, 14, 15],
  // X0..X30, SP, PC are 0..32 in both numberings; later indexes (VG = 46) are not used for unwinding.
  aarch64: Array.from({ length: 33 }, (_, i) => i),
};

const TWO_32 = 2 ** 32;
const TWO_48 = 2 ** 48;
const MASK_48 = (1n << 48n) - 1n;

/**
 * For one (arch, sample_regs_user) pair: the DWARF number of each sampled
 * value, in value order (-1: not a DWARF register), and whether it may carry
 * a pointer-authentication code. Every sample of an event has the same mask,
 * so the last decoding is kept.
 */
interface MaskLayout {
  arch: UnwindArch;
  mask: bigint;
  dwarf: Int8Array;
  stripPac: Uint8Array;
}
let lastLayout: MaskLayout | null = null;

function layoutOf(arch: UnwindArch, mask: bigint | number): MaskLayout {
  // Checked before converting: this runs once per sample, and BigInt() of a bigint still costs a call.
  if (lastLayout && lastLayout.arch === arch && lastLayout.mask === mask) return lastLayout;
  const bits = BigInt(mask);
  if (lastLayout && lastLayout.arch === arch && lastLayout.mask === bits) return lastLayout;
  const map = PERF_TO_DWARF[arch];
  const dwarf: number[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((bits >> BigInt(bit)) & 1n) dwarf.push(bit < map.length ? map[bit] : -1);
  }
  const stripPac = dwarf.map((d) => (arch === 'aarch64' && (d === 30 || d === 32) ? 1 : 0));
  lastLayout = { arch, mask: bits, dwarf: Int8Array.from(dwarf), stripPac: Uint8Array.from(stripPac) };
  return lastLayout;
}

function registerFile(out: Float64Array | undefined): Float64Array {
  const regs = out && out.length >= REGISTER_FILE_SIZE ? out : new Float64Array(REGISTER_FILE_SIZE);
  for (let i = 0; i < REGISTER_FILE_SIZE; i++) regs[i] = Number.NaN;
  return regs;
}

/**
 * Converts one PERF_SAMPLE_REGS_USER block into a DWARF-numbered register
 * file: `mask` is the event's attr.sample_regs_user and `values` the sample's
 * u64s, one per set mask bit in increasing bit order (perf_event_open(2)).
 * Registers not sampled are NaN, which the unwinder treats as unknown. Pass
 * `out` to reuse one register file for every sample.
 *
 * On aarch64 the pc and lr are cut to 48 bits: a signed return address
 * carries its pointer-authentication code in the bits above the virtual
 * address size, and a 64-bit value would not even fit a double exactly.
 * (48-bit user address spaces are assumed; 52-bit ones are opt-in and rare.)
 */
export function perfRegsToDwarf(arch: UnwindArch, mask: bigint | number, values: ArrayLike<number | bigint>, out?: Float64Array): Float64Array {
  const regs = registerFile(out);
  const { dwarf, stripPac } = layoutOf(arch, mask);
  const count = Math.min(dwarf.length, values.length);
  const unsigned = values instanceof BigUint64Array; // already in range: skip BigInt.asUintN
  for (let i = 0; i < count; i++) {
    const reg = dwarf[i];
    if (reg < 0) continue;
    const raw = values[i];
    if (typeof raw === 'bigint') regs[reg] = Number(stripPac[i] ? raw & MASK_48 : unsigned ? raw : BigInt.asUintN(64, raw));
    else regs[reg] = stripPac[i] ? raw % TWO_48 : raw;
  }
  return regs;
}

/**
 * perfRegsToDwarf reading the u64 values straight from the sample record
 * (`byteOffset` = first register), without making bigints: the importer's
 * fast path. Values are exact below 2^53, which covers user addresses.
 */
export function perfRegsFromView(arch: UnwindArch, mask: bigint | number, view: DataView, byteOffset: number, littleEndian: boolean, out?: Float64Array): Float64Array {
  const regs = registerFile(out);
  const { dwarf, stripPac } = layoutOf(arch, mask);
  if (byteOffset < 0 || byteOffset + 8 * dwarf.length > view.byteLength) return regs; // a short record: nothing is known
  const loAt = littleEndian ? 0 : 4;
  const hiAt = littleEndian ? 4 : 0;
  for (let i = 0; i < dwarf.length; i++) {
    const reg = dwarf[i];
    if (reg < 0) continue;
    const at = byteOffset + 8 * i;
    let hi = view.getUint32(at + hiAt, littleEndian);
    if (stripPac[i]) hi &= 0xffff;
    regs[reg] = hi * TWO_32 + view.getUint32(at + loAt, littleEndian);
  }
  return regs;
}
