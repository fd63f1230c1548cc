/**
 * Turns the collected locations into the profile's functions and frames,
 * asking each resolver once per binary (or once for the kernel, once per
 * JIT process) with every offset at once.
 *
 * Naming when a resolver has nothing, chosen so each address stays its own
 * function as in `perf report --sort symbol` (which prints unresolved
 * addresses one row each):
 *   in a known binary       libfoo.so+0x1139     (the file offset)
 *   kernel, no kallsyms     [kernel]             (one function for all)
 *   no map covers it        0x00007f1234567890   (perf's format for these)
 *   JIT memory, no map file 0x00007f1234567890
 * Code from `perf inject --jit` images is JIT code under no library, so a
 * function V8 or a JVM compiled twice (two images) stays one function.
 * Inlined functions become frames of their own (inlineDepth 1..), as
 * `perf report --inline` shows them.
 */

import type { ProfileBuilder } from '../../../src-shared/profile/builder';
import { FuncKind, type IndexIntoFrameTable } from '../../../src-shared/profile/model';
import type { KernelReference } from '../../symbols/kernel';
import type { BinaryResolver, ResolvedAddress, ResolvedFrame } from '../../symbols/types';
import { BinaryKind, type BinaryTable } from './address-space';
import { hexOf } from './binary';
import { LocationKind, type Locations } from './locations';

/** The images `perf inject --jit` makes from a jitdump, one per compiled function: jitted-PID-N.so. */
const JIT_IMAGE = /^jitted-\d+-\d+\.so$/;

/** Kernel symbols (kallsyms): symbols/kernel.ts behind an adapter in index.ts. */
export interface KernelSymbolizer {
  /**
   * One entry per address (64-bit, hence BigInt). `buildId` is the recorded
   * kernel's; a resolver whose running kernel differs returns empty frames
   * rather than wrong names. `reference` is where the recorded kernel was
   * loaded (its MMAP), to relocate this boot's kallsyms to it.
   */
  resolveKernelAddresses(addresses: readonly bigint[], buildId: string | null, reference?: KernelReference | null): ResolvedAddress[];
}

/** JIT symbols from /tmp/perf-PID.map: symbols/perf-map.ts behind an adapter in index.ts. */
export interface JitSymbolizer {
  resolveJitAddresses(pid: number, addresses: readonly number[]): ResolvedAddress[];
}

/** Where names come from. Any may be missing: frames are then named as above, never dropped. */
export interface PerfSymbolSources {
  binaries?: BinaryResolver | null;
  kernel?: KernelSymbolizer | null;
  jit?: JitSymbolizer | null;
}

/** Frames of each location, root first (the real function, then what was inlined into it). */
export interface LocationFrames {
  /** Frames of location i are frames[start[i] .. start[i + 1]). */
  start: Int32Array;
  frames: Int32Array;
  /** The one frame standing for every unresolved kernel address, or -1. */
  kernelFallbackFrame: IndexIntoFrameTable;
}

export function symbolizeLocations(
  locations: Locations,
  binaries: BinaryTable,
  builder: ProfileBuilder,
  sources: PerfSymbolSources,
  kernelBuildId: string | null,
  kernelReference: KernelReference | null,
  /** Only locations marked here get frames (the others belong to events the profile does not show). */
  used: Uint8Array,
): LocationFrames {
  const perLocation: number[][] = Array.from({ length: locations.length }, () => []);
  const warnings = builder.meta.warnings;
  let kernelFallbackFrame = -1;
  const functionFiles = new FunctionFiles();

  const emit = (location: number, resolved: ResolvedAddress | undefined, library: string | null, kind: FuncKind, address: number, fallbackName: () => string) => {
    const frames = resolved?.frames ?? [];
    if (frames.length === 0) {
      perLocation[location] = [builder.frame(builder.func(fallbackName(), { library, kind }), { address })];
      return;
    }
    // Innermost first from the resolver; root first here: the real function (depth 0), then each inlined callee.
    const out: number[] = [];
    for (let i = frames.length - 1, depth = 0; i >= 0; i--, depth++) {
      const f = frames[i];
      // The function goes by the file it is declared in; its line may be in another, and a line in no known
      // file says nothing (-1: a file-less frame would otherwise read as a line of the function's file).
      const func = builder.func(f.name, { file: functionFiles.fileOf(f, library), startLine: functionFiles.startLineOf(f, library), library, kind });
      out.push(builder.frame(func, { address, line: f.file === null ? -1 : f.line, file: f.file, inlineDepth: depth }));
    }
    perLocation[location] = out;
  };

  // User code, one batch per binary; every batch is resolved before any is emitted, so a function's file does not
  // depend on which of its addresses comes first (FunctionFiles).
  const missing: string[] = [];
  const batches: { ids: number[]; offsets: number[]; resolved: ResolvedAddress[]; library: string | null; kind: FuncKind; base: string }[] = [];
  for (const [binary, all] of locations.userLocationsByBinary()) {
    const ids = all.filter((id) => used[id]);
    if (ids.length === 0) continue;
    const path = binaries.paths[binary];
    const offsets = ids.map((id) => locations.lo[id]);
    let resolved: ResolvedAddress[] = [];
    if (sources.binaries && binaries.kinds[binary] === BinaryKind.file) {
      const ref = { path, buildId: binaries.buildIds[binary] };
      try {
        resolved = sources.binaries.resolveFileOffsets(ref, offsets);
        if (sources.binaries.locate(ref).binaryPath === null) missing.push(path);
      } catch (error) {
        warnings.push(`symbols of ${path} could not be read: ${firstLine(error)}`);
      }
    }
    const base = baseName(path);
    // `perf inject --jit` writes each JIT-compiled function to an ELF image of its own: JIT code, and a function
    // compiled twice is still one function, so its images are not libraries that would tell the two apart.
    const jitImage = JIT_IMAGE.test(base);
    const library = jitImage ? null : path;
    functionFiles.learn(resolved, library);
    batches.push({ ids, offsets, resolved, library, kind: jitImage ? FuncKind.jit : FuncKind.native, base });
  }
  for (const { ids, offsets, resolved, library, kind, base } of batches) {
    ids.forEach((id, i) => emit(id, resolved[i], library, kind, offsets[i], () => `${base}+0x${offsets[i].toString(16)}`));
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).map(baseName).join(', ');
    // "Or not the recorded build": a file at the path with another build-id is not used either (its own warning says so).
    warnings.push(`${missing.length} binar${missing.length === 1 ? 'y was' : 'ies were'} not found on this machine, or not as recorded (${shown}${missing.length > 3 ? ', ...' : ''}); their frames are named file+offset`);
  }

  // JIT and other anonymous code, one batch per process.
  for (const [pid, all] of locations.anonLocationsByPid()) {
    const ids = all.filter((id) => used[id]);
    if (ids.length === 0) continue;
    const addresses = ids.map((id) => locations.lo[id]);
    let resolved: ResolvedAddress[] = [];
    if (sources.jit) {
      try {
        resolved = sources.jit.resolveJitAddresses(pid, addresses);
      } catch (error) {
        warnings.push(`JIT symbols of process ${pid} could not be read: ${firstLine(error)}`);
      }
    }
    ids.forEach((id, i) => emit(id, resolved[i], null, FuncKind.jit, addresses[i], () => paddedHex(0, addresses[i])));
  }

  // The kernel, one batch; unmapped addresses need no resolver.
  const kernelIds: number[] = [];
  for (let id = 0; id < locations.length; id++) {
    if (!used[id]) continue;
    if (locations.kind[id] === LocationKind.kernel) kernelIds.push(id);
    else if (locations.kind[id] === LocationKind.unmapped) {
      const hi = locations.hi[id];
      const lo = locations.lo[id];
      emit(id, undefined, null, FuncKind.native, hi === 0 ? lo : -1, () => paddedHex(hi, lo));
    }
  }
  if (kernelIds.length > 0) {
    let resolved: ResolvedAddress[] = [];
    if (sources.kernel) {
      const addresses = kernelIds.map((id) => (BigInt(locations.hi[id]) << 32n) | BigInt(locations.lo[id]));
      try {
        resolved = sources.kernel.resolveKernelAddresses(addresses, kernelBuildId, kernelReference);
      } catch (error) {
        warnings.push(`kernel symbols could not be read: ${firstLine(error)}`);
      }
    }
    kernelIds.forEach((id, i) => {
      // A resolver's own "[kernel]" (no symbol) joins the fallback frame, so runs of them still collapse.
      const frames = resolved[i]?.frames;
      if (frames && frames.length > 0 && !(frames.length === 1 && frames[0].name === '[kernel]')) {
        emit(id, resolved[i], '[kernel.kallsyms]', FuncKind.kernel, -1, () => '[kernel]');
      } else {
        if (kernelFallbackFrame < 0) kernelFallbackFrame = builder.frame(builder.func('[kernel]', { library: '[kernel.kallsyms]', kind: FuncKind.kernel }));
        perLocation[id] = [kernelFallbackFrame];
      }
    });
  }

  // Flatten into two arrays.
  const start = new Int32Array(locations.length + 1);
  let total = 0;
  for (let id = 0; id < locations.length; id++) {
    start[id] = total;
    total += perLocation[id].length;
  }
  start[locations.length] = total;
  const frames = new Int32Array(total);
  for (let id = 0; id < locations.length; id++) frames.set(perLocation[id], start[id]);
  return { start, frames, kernelFallbackFrame };
}

/** perf report's name for an address without a symbol: 0x and 16 hex digits. */
function paddedHex(hi: number, lo: number): string {
  return '0x' + hexOf(hi, lo).padStart(16, '0');
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 && slash < path.length - 1 ? path.slice(slash + 1) : path;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].trim();
}

/**
 * The file each function goes by. A resolved frame names its function's
 * declared file when the debug info has one (funcFile); a frame without one
 * (line rows no DIE covers: perf inject's JIT images, line-table-only builds,
 * a stray address of a declared function) takes the file that function is
 * declared in at its other addresses, else the first known file of its
 * lines: so its lines in other files never make it several functions.
 * Functions are told apart by name within a library, as perf report's rows.
 * The declared first line goes the same way.
 */
class FunctionFiles {
  private readonly declared = new Map<string, string>();
  private readonly declaredLine = new Map<string, number>();
  private readonly firstLineFile = new Map<string, string>();

  /** Takes in a binary's resolved addresses before any of its frames is emitted. */
  learn(resolved: readonly (ResolvedAddress | undefined)[], library: string | null): void {
    for (const address of resolved) {
      for (const f of address?.frames ?? []) {
        const key = functionKey(f, library);
        if (typeof f.funcFile === 'string') this.declared.set(key, f.funcFile);
        else if (f.file !== null && !this.firstLineFile.has(key)) this.firstLineFile.set(key, f.file);
        if (f.funcLine !== undefined && f.funcLine > 0) this.declaredLine.set(key, f.funcLine);
      }
    }
  }

  fileOf(f: ResolvedFrame, library: string | null): string | null {
    if (typeof f.funcFile === 'string') return f.funcFile;
    const key = functionKey(f, library);
    return this.declared.get(key) ?? this.firstLineFile.get(key) ?? null;
  }

  /** The declared first line, or undefined when none of the function's frames says. */
  startLineOf(f: ResolvedFrame, library: string | null): number | undefined {
    if (f.funcLine !== undefined && f.funcLine > 0) return f.funcLine;
    return this.declaredLine.get(functionKey(f, library));
  }
}

function functionKey(f: ResolvedFrame, library: string | null): string {
  return `${f.name}\0${library ?? ''}`;
}
