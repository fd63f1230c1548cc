/**
 * What the perf.data importer asks of symbolization, and what it gets back.
 * The importer turns each sampled runtime address into (binary, file offset)
 * using the recording's MMAP/MMAP2 events; resolvers turn file offsets into
 * functions, files and lines. Kernel and JIT addresses have their own
 * resolvers (kallsyms, perf-PID.map) with the same result shape.
 */

/** One function at an address. An address inside inlined code resolves to several. */
export interface ResolvedFrame {
  /** Demangled function name. */
  name: string;
  /** Source file (absolute when the debug info gives a compilation directory), or null. */
  file: string | null;
  /** Source line executing at this address in this function, or -1. */
  line: number;
  /**
   * The file and line where the function itself is declared, when the debug
   * info says (DW_AT_decl_file / decl_line): the function's identity and
   * its place in the source pane. `file` is where `line` is, which need not
   * be the same file (see DwarfFrame.funcFile).
   */
  funcFile?: string | null;
  funcLine?: number;
}

export interface ResolvedAddress {
  /**
   * Innermost first: the inlined leaf, then each function it was inlined
   * into, ending with the real (out-of-line) function. Empty when the address
   * is in no known symbol.
   */
  frames: ResolvedFrame[];
}

/** A binary as the recording names it. */
export interface BinaryRef {
  /** The path recorded at mmap time (may not exist on this machine). */
  path: string;
  /** Build-id from the recording (MMAP2 or the build-id feature), lowercase hex, or null. */
  buildId: string | null;
}

export interface BinaryResolver {
  /**
   * Resolve file offsets within `binary`, all at once (batched so the binary
   * and its debug info are opened and indexed once). Returns one entry per
   * offset; a binary that cannot be found gives `<name>+0x<offset>` frames,
   * so no sample is ever dropped.
   */
  resolveFileOffsets(binary: BinaryRef, fileOffsets: readonly number[]): ResolvedAddress[];
  /** Where the binary and its debug info were found, for the UI and warnings; null when not found. */
  locate(binary: BinaryRef): { binaryPath: string | null; debugPath: string | null };
  /** Release open files and caches. */
  dispose(): void;
}
