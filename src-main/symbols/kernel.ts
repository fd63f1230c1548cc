/**
 * Kernel frames: names from /proc/kallsyms, used only when they describe the
 * kernel the recording was made on.
 *
 * A recording made on another machine, or before a reboot into another
 * kernel, carries kernel addresses that mean nothing in this kernel's
 * symbol table; naming them from it would print plausible but wrong
 * functions. So the resolver compares the recording's kernel build-id with
 * this kernel's (the GNU build-id note in /sys/kernel/notes, which is what
 * `perf buildid-list -k` reads) and otherwise names every kernel frame
 * `[kernel]`, with a reason the caller can show as a warning.
 *
 * Kernel addresses are above 2^53 (0xffffffff81000000...), so addresses are
 * bigints in the API and two 32-bit halves inside, never JavaScript numbers.
 *
 * Kernel addresses move between boots (KASLR), even for the same kernel:
 * perf records where the kernel's text was (its MMAP of
 * `[kernel.kallsyms]_text`, whose pgoff is that symbol's address then), and
 * the names are looked up that far from where the symbol is in the kallsyms
 * read, as perf relocates them. Modules load elsewhere on every boot, so
 * when the kernel moved, a module's addresses are not named.
 *
 * A recording of another kernel can still be named from perf's build-id
 * cache: `perf record` keeps a copy of the kallsyms it ran under in
 * ~/.debug/[kernel.kallsyms]/BUILD-ID/kallsyms, and `perf archive` carries
 * that copy to another machine (unpacked into ~/.debug there), which is how
 * a recording from a server opens with kernel names on a laptop or a Mac.
 * perf report looks there too when the running kernel is another.
 *
 * Formats: kallsyms lines are `%px %c %s` plus `\t[module]` for module
 * symbols (kernel/kallsyms.c, s_show); notes are ELF notes (namesz, descsz,
 * type, name and desc padded to 4 bytes; NT_GNU_BUILD_ID = 3).
 */

import { readFileSync } from 'node:fs';
import { endianness, homedir } from 'node:os';
import { normalizeBuildId, perfCacheImageFiles } from './locate';
import type { ResolvedAddress } from './types';

export interface KernelSymbol {
  name: string;
  /** Start address. */
  address: bigint;
  /** The kallsyms type letter (`T` global text, `t` local text, `W` weak, ...). */
  type: string;
  /** Module name for module symbols (`nf_tables`), null for the core kernel. */
  module: string | null;
}

/*
 * The symbols perf keeps from kallsyms: text, weak, data and bss (its
 * symbol_type__filter, isKeptType below). Read-only data and absolute symbols
 * would only shadow the code around them.
 */

/**
 * A sorted kallsyms table. A symbol spans from its address to the next symbol's.
 *
 * Kept as numbers: each symbol's address halves and where its line starts in
 * the kallsyms text. A recording touches a few hundred kernel functions out of
 * ~100k symbols, so names are cut out of the text only when looked up.
 */
export class KallsymsIndex {
  /**
   * True when every address read as 0: what a reader without the privilege
   * sees under kernel.kptr_restrict.
   */
  readonly allZero: boolean;

  private constructor(
    private readonly text: string,
    private readonly hi: Uint32Array,
    private readonly lo: Uint32Array,
    /** Where each symbol's type letter is in `text` (the name starts 2 after it). */
    private readonly typeAt: Int32Array,
    allZero: boolean,
  ) {
    this.allZero = allZero;
  }

  get size(): number {
    return this.hi.length;
  }

  /** Parses /proc/kallsyms text. Lines it can't read are skipped. */
  static parse(text: string): KallsymsIndex {
    let his = new Uint32Array(1 << 16);
    let los = new Uint32Array(1 << 16);
    let typeAts = new Int32Array(1 << 16);
    let count = 0;
    let lines = 0;
    let nonZero = false;
    let sorted = true;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const lineStart = start;
      start = end + 1;
      // `<hex address> <type> <name>[\t[<module>]]`
      let i = lineStart;
      let hi = 0;
      let lo = 0;
      let digits = 0;
      for (; i < end; i++) {
        const d = hexValue(text.charCodeAt(i));
        if (d < 0) break;
        // Shift the 64-bit value left by 4 across the two halves.
        hi = ((hi << 4) | (lo >>> 28)) >>> 0;
        lo = ((lo << 4) | d) >>> 0;
        digits++;
      }
      if (digits === 0 || digits > 16 || text.charCodeAt(i) !== 0x20 || text.charCodeAt(i + 2) !== 0x20) continue;
      lines++;
      if (hi !== 0 || lo !== 0) nonZero = true;
      if (!isKeptType(text.charCodeAt(i + 1))) continue;
      const nameEnd = i + 3 < end ? text.charCodeAt(i + 3) : 0x09;
      if (nameEnd === 0x09 || i + 3 >= end) continue; // no name
      if (count === his.length) {
        his = grownU32(his);
        los = grownU32(los);
        const bigger = new Int32Array(2 * typeAts.length);
        bigger.set(typeAts);
        typeAts = bigger;
      }
      if (count > 0 && (hi < his[count - 1] || (hi === his[count - 1] && lo < los[count - 1]))) sorted = false;
      his[count] = hi;
      los[count] = lo;
      typeAts[count] = i + 1;
      count++;
    }
    // kallsyms is sorted by address on the kernels seen so far: sort (by address, then line) only when it is not.
    const order = new Int32Array(count);
    for (let k = 0; k < count; k++) order[k] = k;
    if (!sorted) order.sort((a, b) => (his[a] !== his[b] ? (his[a] < his[b] ? -1 : 1) : los[a] !== los[b] ? (los[a] < los[b] ? -1 : 1) : a - b));
    // Keep one symbol per address, the last in the file, as perf does: its end fix-up gives every alias but
    // the last a length of 0, and its duplicate fix-up then prefers the one with a length.
    const hi = new Uint32Array(count);
    const lo = new Uint32Array(count);
    const typeAt = new Int32Array(count);
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const i = order[k];
      if (kept > 0 && hi[kept - 1] === his[i] && lo[kept - 1] === los[i]) {
        typeAt[kept - 1] = typeAts[i];
        continue;
      }
      hi[kept] = his[i];
      lo[kept] = los[i];
      typeAt[kept] = typeAts[i];
      kept++;
    }
    return new KallsymsIndex(text, hi.slice(0, kept), lo.slice(0, kept), typeAt.slice(0, kept), lines > 0 && !nonZero);
  }

  /** The address of the first symbol named `name` (text or data, not a module's), or null. */
  addressOf(name: string): bigint | null {
    const needle = ` ${name}\n`;
    for (let at = this.text.indexOf(needle); at >= 0; at = this.text.indexOf(needle, at + 1)) {
      const lineStart = this.text.lastIndexOf('\n', at) + 1;
      const fields = /^([0-9a-fA-F]{1,16}) [A-Za-z]$/.exec(this.text.slice(lineStart, at));
      if (fields) return BigInt(`0x${fields[1]}`);
    }
    return null;
  }

  /** The symbol whose span holds `address`, or null below the first symbol. */
  lookup(address: bigint): KernelSymbol | null {
    const found = this.indexOf(address);
    return found < 0 ? null : this.symbolAt(found);
  }

  /**
   * lookup(), except that an address in the padding the kernel puts before a
   * function (its `__pfx_<name>` symbol: CONFIG_FUNCTION_PADDING, for call
   * thunks and FineIBT) is that function's. A caller's call site lands there
   * when the return address read was the function's first byte (seen under a
   * retpoline thunk: `__x86_indirect_thunk_rax` called from
   * `ext4_file_mmap_prepare`), and perf names that frame the function.
   */
  functionAt(address: bigint): KernelSymbol | null {
    const found = this.indexOf(address);
    if (found < 0) return null;
    const symbol = this.symbolAt(found);
    if (!symbol.name.startsWith(PADDING_PREFIX) || found + 1 >= this.hi.length) return symbol;
    const next = this.symbolAt(found + 1);
    return next.name === symbol.name.slice(PADDING_PREFIX.length) && next.module === symbol.module ? next : symbol;
  }

  /** Index of the last symbol starting at or below `address`; -1 if none. */
  private indexOf(address: bigint): number {
    if (address < 0n || address > 0xffffffffffffffffn) return -1;
    const hi = Number(address >> 32n);
    const lo = Number(address & 0xffffffffn);
    let low = 0;
    let high = this.hi.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const mhi = this.hi[mid];
      if (mhi < hi || (mhi === hi && this.lo[mid] <= lo)) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private symbolAt(i: number): KernelSymbol {
    const { name, module } = lineFields(this.text, this.typeAt[i]);
    return {
      name,
      address: (BigInt(this.hi[i]) << 32n) | BigInt(this.lo[i]),
      type: this.text.charAt(this.typeAt[i]),
      module,
    };
  }
}

/** The kernel's name for the padding before a function: `__pfx_` + the function's name. */
const PADDING_PREFIX = '__pfx_';

/** perf's symbol_type__filter: T t W w D d B b. */
function isKeptType(c: number): boolean {
  return c === 0x54 || c === 0x74 || c === 0x57 || c === 0x77 || c === 0x44 || c === 0x64 || c === 0x42 || c === 0x62;
}

/** The name and module of the kallsyms line whose type letter is at text[typeAt]. */
function lineFields(text: string, typeAt: number): { name: string; module: string | null } {
  let end = text.indexOf('\n', typeAt);
  if (end < 0) end = text.length;
  const rest = text.slice(typeAt + 2, end);
  const tab = rest.indexOf('\t');
  const name = tab < 0 ? rest : rest.slice(0, tab);
  let module: string | null = null;
  if (tab >= 0 && rest.charCodeAt(tab + 1) === 0x5b /* [ */) {
    const close = rest.indexOf(']', tab);
    if (close > 0) module = rest.slice(tab + 2, close);
  }
  return { name, module };
}

function grownU32(array: Uint32Array): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(2 * array.length);
  bigger.set(array);
  return bigger;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** The GNU build-id in a buffer of ELF notes (lowercase hex), or null. */
export function parseBuildIdNote(notes: Uint8Array): string | null {
  const view = new DataView(notes.buffer, notes.byteOffset, notes.byteLength);
  // The notes are in the running kernel's byte order, which is this process's.
  const little = endianness() === 'LE';
  let offset = 0;
  while (offset + 12 <= notes.length) {
    const namesz = view.getUint32(offset, little);
    const descsz = view.getUint32(offset + 4, little);
    const type = view.getUint32(offset + 8, little);
    const nameStart = offset + 12;
    const descStart = nameStart + align4(namesz);
    const next = descStart + align4(descsz);
    if (namesz > notes.length || descsz > notes.length || next > notes.length) return null;
    const name = new TextDecoder().decode(notes.subarray(nameStart, nameStart + namesz)).replace(/\0+$/, '');
    if (name === 'GNU' && type === NT_GNU_BUILD_ID && descsz > 0) {
      return Array.from(notes.subarray(descStart, descStart + descsz), (b) => b.toString(16).padStart(2, '0')).join('');
    }
    offset = next;
  }
  return null;
}

const NT_GNU_BUILD_ID = 3;
const align4 = (n: number) => (n + 3) & ~3;

/** This kernel's build-id, or null when /sys/kernel/notes can't be read or has none. */
export function readKernelBuildId(notesPath = '/sys/kernel/notes'): string | null {
  try {
    return parseBuildIdNote(readFileSync(notesPath));
  } catch {
    return null;
  }
}

/**
 * perf stores build-ids in a 20-byte field, so shorter ids (a 16-byte MD5
 * style id) come back zero-padded: compare without trailing zero bytes.
 */
export function sameBuildId(a: string, b: string): boolean {
  const norm = (id: string) => id.toLowerCase().replace(/(00)+$/, '');
  return norm(a) === norm(b) && norm(a) !== '';
}

/** Where the recording's kernel had a symbol: perf's MMAP of `[kernel.kallsyms]_text` (symbol `_text`, its address). */
export interface KernelReference {
  symbol: string;
  address: bigint;
}

export interface KernelResolverOptions {
  /** The kernel build-id the recording carries (perf's build-id table, `[kernel.kallsyms]`), or null. */
  recordedBuildId: string | null;
  /** Resolve even though the recording has no kernel build-id (the caller knows it is this machine). */
  allowWithoutBuildId?: boolean;
  kallsymsPath?: string;
  /** This machine's kallsyms already read and parsed (readKallsymsIndex, in the symbol worker): not read again. */
  kallsymsIndex?: KallsymsIndex | null;
  notesPath?: string;
  /** Whose ~/.debug (perf's build-id cache) holds copies of other kernels' kallsyms; default this user's. */
  homeDir?: string;
  /** Where the recording's kernel was loaded, to relocate the kallsyms read; none: as it is. */
  reference?: KernelReference | null;
  kptrRestrictPath?: string;
}

export interface KernelResolver {
  /** Whether kernel frames get real names; false means every frame is `[kernel]`. */
  readonly active: boolean;
  /** Why kernel frames are named `[kernel]`, to show as a warning; null when active. */
  readonly warning: string | null;
  /** The frame for a kernel address: its symbol, or `[kernel]`. */
  resolve(address: bigint): ResolvedAddress;
  /** The symbol (with its module) for an address, or null. */
  lookup(address: bigint): KernelSymbol | null;
}

export const UNKNOWN_KERNEL_FRAME = '[kernel]';

/**
 * This machine's kallsyms, parsed; null when it cannot be read (the resolver
 * then reads it itself and says why it failed). Read synchronously on
 * purpose: the file's size shows as 0, so Node's async readFile takes it in
 * small pieces, one thread-pool round trip each, 0.3-0.6 s for 5 MB against
 * 0.05 s here. Callers run it off the importing thread (symbol-worker.ts).
 */
export function readKallsymsIndex(path = '/proc/kallsyms'): KallsymsIndex | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return KallsymsIndex.parse(text);
}

export function createKernelResolver(options: KernelResolverOptions): KernelResolver {
  const kallsymsPath = options.kallsymsPath ?? '/proc/kallsyms';
  const notesPath = options.notesPath ?? '/sys/kernel/notes';
  const kptrPath = options.kptrRestrictPath ?? '/proc/sys/kernel/kptr_restrict';

  if (options.recordedBuildId === null && options.allowWithoutBuildId !== true) {
    return unresolved('kernel symbols not used: the recording has no kernel build-id, so its kernel may not be this one');
  }
  if (options.recordedBuildId !== null) {
    const current = readKernelBuildId(notesPath);
    if (current === null || !sameBuildId(options.recordedBuildId, current)) {
      const cached = readCachedKallsyms(options.recordedBuildId, options.homeDir ?? homedir());
      if (cached !== null) {
        return resolverOver(cached.index, cached.path, options.reference ?? null, () => `${cached.path}, perf's copy of the recording kernel's kallsyms, shows every address as 0 (perf record could not read them)`);
      }
      const noCopy = `and ~/.debug has no copy of its kallsyms (perf archive, run where it was recorded, carries one)`;
      if (current === null) {
        return unresolved(`kernel symbols not used: this kernel's build-id is unreadable (${notesPath}), so the recording's kernel can't be matched, ${noCopy}`);
      }
      return unresolved(`kernel symbols not used: the recording's kernel (build-id ${options.recordedBuildId}) is not the running kernel (build-id ${current}), ${noCopy}`);
    }
  }
  let index = options.kallsymsIndex ?? null;
  if (index === null) {
    let text: string;
    try {
      text = readFileSync(kallsymsPath, 'utf8');
    } catch (err) {
      return unresolved(`kernel symbols unavailable: cannot read ${kallsymsPath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    index = KallsymsIndex.parse(text);
  }
  return resolverOver(index, kallsymsPath, options.reference ?? null, () => `${kptrPath} is ${readTrimmed(kptrPath) ?? 'set'}, so ${kallsymsPath} shows every address as 0 (run as root, or set kernel.kptr_restrict=0)`);
}

/**
 * Names from `index` (read from `path`), relocated to where `reference` says
 * the recording's kernel was, unless its addresses are hidden (`whyHidden`
 * says how) or it has no symbols.
 */
function resolverOver(index: KallsymsIndex, path: string, reference: KernelReference | null, whyHidden: () => string): KernelResolver {
  if (index.allZero) return unresolved(`kernel symbols hidden: ${whyHidden()}`);
  if (index.size === 0) return unresolved(`kernel symbols unavailable: ${path} lists no symbols`);
  const here = reference === null ? null : index.addressOf(reference.symbol);
  // Recorded minus read: 0 when the kernel did not move, or nothing says where it was.
  const shift = reference === null || here === null ? 0n : reference.address - here;
  const lookup = (address: bigint): KernelSymbol | null => {
    const symbol = index.functionAt(address - shift);
    if (symbol === null) return null;
    if (shift === 0n) return symbol;
    return symbol.module === null ? { ...symbol, address: symbol.address + shift } : null;
  };
  return {
    active: true,
    warning: null,
    lookup,
    resolve(address) {
      const symbol = lookup(address);
      return frame(symbol === null ? UNKNOWN_KERNEL_FRAME : symbol.name);
    },
  };
}

/**
 * perf's copy of the kallsyms of the kernel with `buildId`, from the build-id
 * cache under `homeDir`, or null. perf names the directory by the build-id's
 * own length; the recording may carry it zero-padded to 20 bytes.
 */
export function readCachedKallsyms(buildId: string, homeDir: string): { index: KallsymsIndex; path: string } | null {
  const full = normalizeBuildId(buildId);
  if (full === null) return null;
  const ids = [...new Set([full, full.replace(/(00)+$/, '')])].filter((id) => id.length >= 2);
  for (const id of ids) {
    for (const path of perfCacheImageFiles(homeDir, '[kernel.kallsyms]', id, 'kallsyms')) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      return { index: KallsymsIndex.parse(text), path };
    }
  }
  return null;
}

function unresolved(warning: string): KernelResolver {
  return {
    active: false,
    warning,
    lookup: () => null,
    resolve: () => frame(UNKNOWN_KERNEL_FRAME),
  };
}

function frame(name: string): ResolvedAddress {
  return { frames: [{ name, file: null, line: -1 }] };
}

function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}
