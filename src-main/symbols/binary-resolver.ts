/**
 * The resolver for ELF binaries: file offsets (from the recording's MMAP2
 * events) -> frames with function, file and line, inlined calls first.
 *
 * Per binary (by path and build-id) it locates the files once (locate.ts),
 * opens them lazily, and keeps them with their symbol table and DWARF index
 * until dispose(); every offset is resolved once and remembered.
 *
 * How a frame is named:
 * - the innermost frames are the inlined calls DWARF describes at the
 *   address, each named after its abstract origin, with the line executing
 *   in it (the innermost) or the line of the call it contains (the others),
 *   as `addr2line -i` and `perf report --inline` show them;
 * - the outermost frame, the real function, takes the ELF symbol's name
 *   when a symbol holds the address, as perf names it: gcc's split parts
 *   (`main.cold`) and clones (`foo.isra.0`) stay apart from the function
 *   that DWARF names, and names match `perf report`; otherwise DWARF's name;
 * - an address in no symbol and no DWARF function (a stripped binary) is
 *   `<binary>+0x<offset>` where the offset is the start of the function
 *   holding it by the binary's call frame information (.eh_frame, which
 *   stripping keeps), else of the address itself. perf report prints one
 *   bare address per sampled instruction (`0x0000000000001139`) and perf
 *   script `[unknown]`; one row per unnamed function adds up its cost, as
 *   its name would, and keeps the binary's name in a flame graph;
 * - a binary that cannot be found, or cannot be read, gives the same
 *   `<binary>+0x<offset>` frame for every offset, never an empty one, so no
 *   sample loses its place in the call tree.
 * Names are passed through displayName(), which demangles C++ and Rust names.
 */

import { basename, join } from 'node:path';
import { homedir } from 'node:os';
import { DebuginfodClient, parseDebuginfodUrls } from './debuginfod';
import { demangle } from './demangle';
import { DwarfInfo, type DwarfFrame } from './dwarf/info';
import type { ElfFile } from './elf/elf-file';
import { SymbolTable } from './elf/symbols';
import { hasDwarf, locateFiles } from './locate';
import type { BinaryRef, BinaryResolver, ResolvedAddress, ResolvedFrame } from './types';
import { CfiTable } from './unwind/cfi';

export interface BinaryResolverOptions {
  /** Global debug directories (default: /usr/lib/debug). */
  debugDirs?: string[];
  /** Home directory with perf's ~/.debug cache (default: the user's). */
  homeDir?: string;
  /** debuginfod servers (default: $DEBUGINFOD_URLS; [] turns debuginfod off). */
  debuginfodUrls?: string[];
  /** Download cache (default: $XDG_CACHE_HOME or ~/.cache, then heatline/debuginfod). */
  debuginfodCacheDir?: string;
  /** Give up on a debuginfod request after this long without data (default 10 s). */
  debuginfodTimeoutMs?: number;
  /** One line per problem (missing binary, corrupt debug info...), each said once. */
  warn?(line: string): void;
}

/** Demangled names by mangled name: many addresses share a symbol. Bounded, since symbol sets can be huge. */
const demangledNames = new Map<string, string>();
const DEMANGLE_CACHE_LIMIT = 200_000;

/** The name shown for a symbol or DWARF linkage name: demangled (C++, Rust), else as it is. */
export function displayName(raw: string): string {
  let name = demangledNames.get(raw);
  if (name === undefined) {
    name = demangle(raw);
    if (demangledNames.size >= DEMANGLE_CACHE_LIMIT) demangledNames.clear();
    demangledNames.set(raw, name);
  }
  return name;
}

/** The frame for an address nothing names: `<binary>+0x<file offset>`. */
export function offsetFrameName(path: string, fileOffset: number): string {
  return `${basename(path)}+0x${fileOffset.toString(16)}`;
}

/** One binary: its files, opened on first use, and every answer so far. */
class OpenBinary {
  private symbols: SymbolTable | null = null;
  private dwarf: DwarfInfo | null | undefined;
  private cfi: CfiTable | null | undefined;
  private readonly results = new Map<number, ResolvedAddress>();
  private readonly base: string;

  constructor(
    readonly ref: BinaryRef,
    readonly binary: ElfFile | null,
    readonly debug: ElfFile | null,
    private readonly warn: (line: string) => void,
  ) {
    this.base = ref.path;
    if (!binary) return;
    const files = debug ? [debug, binary] : [binary];
    try {
      this.symbols = SymbolTable.fromFiles(files);
    } catch (error) {
      warn(`${ref.path}: symbol table unreadable (${(error as Error).message}); using DWARF names only`);
    }
  }

  resolve(fileOffset: number): ResolvedAddress {
    let result = this.results.get(fileOffset);
    if (!result) {
      try {
        result = { frames: this.frames(fileOffset) };
      } catch (error) {
        // Parsers report corrupt input as warnings; this is the net under anything they missed.
        this.warn(`${this.ref.path}: cannot resolve offset 0x${fileOffset.toString(16)}: ${(error as Error).message}`);
        result = { frames: [{ name: offsetFrameName(this.base, fileOffset), file: null, line: -1 }] };
      }
      this.results.set(fileOffset, result);
    }
    return result;
  }

  private frames(fileOffset: number): ResolvedFrame[] {
    const unknown = (): ResolvedFrame[] => [{ name: offsetFrameName(this.base, fileOffset), file: null, line: -1 }];
    if (!this.binary) return unknown();
    let address: number | null;
    try {
      address = this.binary.fileOffsetToVaddr(fileOffset);
    } catch {
      address = null;
    }
    if (address === null) return unknown();
    const symbols = this.symbols;
    const sym = symbols ? symbols.lookup(address) : -1;
    const dwarf = this.dwarfInfo()?.lookup(address) ?? null;
    if (!dwarf) return [{ name: sym >= 0 && symbols ? displayName(symbols.name(sym)) : this.unnamedFunction(fileOffset, address), file: null, line: -1 }];
    const frames = dwarf.map(toFrame);
    const outer = frames[frames.length - 1];
    if (sym >= 0 && symbols) outer.name = displayName(symbols.name(sym));
    else if (dwarf[dwarf.length - 1].name === null) outer.name = this.unnamedFunction(fileOffset, address);
    return frames;
  }

  /**
   * The name of code no symbol covers. Its function by the CFI: `<binary>+0x<offset of the FDE's start>`, or
   * the symbol starting one byte in when the FDE begins right at `address`. That is glibc's signal trampoline:
   * a handler returns to the first byte of __restore_rt, so its caller is looked up one byte back, on a nop
   * glibc puts before the symbol and covers with the trampoline's CFI for unwinders. Without CFI, the address's
   * own offset.
   */
  private unnamedFunction(fileOffset: number, address: number): string {
    const fde = this.fdeAt(address);
    if (fde === null) return offsetFrameName(this.base, fileOffset);
    const next = fde.pcBegin === address && this.symbols ? this.symbols.lookup(address + 1) : -1;
    if (next >= 0 && this.symbols && this.symbols.start(next) === address + 1 && address + 1 < fde.pcEnd) return displayName(this.symbols.name(next));
    return offsetFrameName(this.base, fileOffset - (address - fde.pcBegin));
  }

  /** The FDE (.eh_frame, else .debug_frame) covering `address`, or null; the CFI is read on first need. */
  private fdeAt(address: number): { pcBegin: number; pcEnd: number } | null {
    if (this.cfi === undefined) {
      this.cfi = null;
      try {
        if (this.binary) this.cfi = CfiTable.fromElf(this.binary, this.debug);
      } catch {
        // No usable CFI: every address keeps its own name.
      }
    }
    try {
      const fde = this.cfi?.findFde(address) ?? null;
      return fde !== null && fde.pcBegin <= address && address < fde.pcEnd ? fde : null;
    } catch {
      return null; // a corrupt FDE names nothing
    }
  }

  private dwarfInfo(): DwarfInfo | null {
    if (this.dwarf !== undefined) return this.dwarf;
    const source = this.debug ?? this.binary;
    this.dwarf = null;
    if (!source) return null;
    const code = source.sections.filter((s) => s.flags & 0x4 /* SHF_EXECINSTR */ && s.size > 0);
    const isCode = (address: number) => {
      for (const s of code) if (address >= s.addr && address < s.addr + s.size) return true;
      return false;
    };
    try {
      this.dwarf = DwarfInfo.open(source, { isCode, warn: this.warn });
    } catch (error) {
      this.warn(`${source.path}: DWARF unreadable (${(error as Error).message}); using symbols only`);
    }
    return this.dwarf;
  }

  close(): void {
    this.binary?.close();
    this.debug?.close();
  }
}

function toFrame(f: DwarfFrame): ResolvedFrame {
  const frame: ResolvedFrame = { name: f.name === null ? '[unknown]' : displayName(f.name), file: f.file, line: f.line > 0 ? f.line : -1 };
  if (f.funcFile !== null) frame.funcFile = f.funcFile;
  if (f.funcLine > 0) frame.funcLine = f.funcLine;
  return frame;
}

export function createBinaryResolver(options: BinaryResolverOptions = {}): BinaryResolver {
  const said = new Set<string>();
  const warn = (line: string) => {
    if (said.has(line)) return;
    said.add(line);
    options.warn?.(line);
  };
  const homeDir = options.homeDir ?? homedir();
  const cacheRoot = process.env.XDG_CACHE_HOME && options.homeDir === undefined ? process.env.XDG_CACHE_HOME : join(homeDir, '.cache');
  const debuginfod = new DebuginfodClient({
    urls: options.debuginfodUrls ?? parseDebuginfodUrls(process.env.DEBUGINFOD_URLS),
    cacheDir: options.debuginfodCacheDir ?? join(cacheRoot, 'heatline', 'debuginfod'),
    timeoutMs: options.debuginfodTimeoutMs ?? 10_000,
    warn,
  });
  const locateOptions = { homeDir, debugDirs: options.debugDirs ?? ['/usr/lib/debug'], debuginfod, warn };
  const open = new Map<string, OpenBinary>();

  const get = (ref: BinaryRef): OpenBinary => {
    const key = `${ref.path}\0${ref.buildId ?? ''}`;
    let entry = open.get(key);
    if (!entry) {
      let files: { binary: ElfFile | null; debug: ElfFile | null };
      try {
        files = locateFiles(ref, locateOptions);
      } catch (error) {
        warn(`${ref.path}: ${(error as Error).message}`);
        files = { binary: null, debug: null };
      }
      if (!files.binary) {
        warn(files.debug ? `${ref.path}: found debug info (${files.debug.path}) but not the binary, so file offsets cannot be mapped; showing offsets` : `${ref.path}: binary not found${ref.buildId ? ` (build-id ${ref.buildId})` : ''}; showing offsets`);
      }
      entry = new OpenBinary(ref, files.binary, files.debug, warn);
      open.set(key, entry);
    }
    return entry;
  };

  return {
    resolveFileOffsets(binary, fileOffsets) {
      const entry = get(binary);
      return fileOffsets.map((offset) => entry.resolve(offset));
    },
    locate(binary) {
      const entry = get(binary);
      return { binaryPath: entry.binary?.path ?? null, debugPath: entry.debug?.path ?? (entry.binary && hasDwarf(entry.binary) ? entry.binary.path : null) };
    },
    dispose() {
      for (const entry of open.values()) entry.close();
      open.clear();
    },
  };
}
