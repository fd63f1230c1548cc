/**
 * Finding a recorded binary and its debug info on this machine, in the
 * order perf and gdb look:
 *
 * The binary (needed to turn file offsets into addresses):
 *   1. the recorded path, if its build-id matches (or none was recorded);
 *   2. perf's build-id cache: ~/.debug/.build-id/ab/cdef…/elf (a link to
 *      ~/.debug/<path>/<build-id>/, as `perf buildid-cache` and
 *      `perf archive` lay it out), ~/.debug/<path>/<build-id>/elf, and the
 *      older layout where .build-id/ab/cdef… is the file itself;
 *   3. for the vdso, this process's own when the build-ids are the same
 *      (symbols/own-vdso.ts);
 *   4. debuginfod's /executable, when DEBUGINFOD_URLS is set.
 * Its debug info, when the binary has no .debug_info of its own:
 *   1. perf's cache: ~/.debug/.build-id/ab/cdef…/debug and
 *      ~/.debug/<path>/<build-id>/debug;
 *   2. <debug dir>/.build-id/ab/cdef….debug (debug dir: /usr/lib/debug);
 *   3. the .gnu_debuglink name in the binary's directory, its .debug/
 *      subdirectory and <debug dir>/<binary's directory>/, only when the
 *      file's CRC-32 is the one the link records;
 *   4. debuginfod's /debuginfo.
 * Every candidate with a build-id must carry the expected one: a binary
 * rebuilt since the recording would give wrong names, and a wrong answer is
 * worse than `lib+0x1234`.
 *
 * Build-ids come from perf.data, so they are checked to be hex before they
 * are used in any path or URL.
 */

import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileCrc32 } from './crc32';
import type { DebuginfodClient } from './debuginfod';
import { ElfFile, SectionType } from './elf/elf-file';
import { openOwnVdso, ownVdso } from './own-vdso';
import type { BinaryRef } from './types';

/** The vdso's map names: `[vdso]`, and `[vdso32]` / `[vdsox32]` for 32-bit and x32 processes. */
const VDSO_PATH = /^\[(vdso(?:32|x32)?)\]$/;

export function isVdsoPath(path: string): boolean {
  return VDSO_PATH.test(path);
}

export interface LocateOptions {
  /** Home directory holding perf's ~/.debug cache. */
  homeDir: string;
  /** Global debug directories, in order (gdb's debug-file-directory). */
  debugDirs: string[];
  debuginfod: DebuginfodClient | null;
  warn: (line: string) => void;
}

export interface LocatedFiles {
  /** The binary as loaded: program headers for offsets, and usually the symbols. */
  binary: ElfFile | null;
  /** A separate file with the debug info, or null when the binary has its own (or none was found). */
  debug: ElfFile | null;
  /** The build-id used for the search (recorded, else the binary's own), or null. */
  buildId: string | null;
}

/** A valid lowercase build-id, or null. */
export function normalizeBuildId(id: string | null | undefined): string | null {
  if (!id) return null;
  const lower = id.toLowerCase();
  return /^[0-9a-f]{2,128}$/.test(lower) ? lower : null;
}

/** True when `elf` carries DWARF (not a stripped NOBITS placeholder). */
export function hasDwarf(elf: ElfFile): boolean {
  const info = elf.section('.debug_info');
  const line = elf.section('.debug_line');
  return (info !== undefined && info.type !== SectionType.NOBITS && info.size > 0) || (line !== undefined && line.type !== SectionType.NOBITS && line.size > 0);
}

/** Opens `path` if it is an ELF file whose build-id is `buildId` (any, when null); null otherwise. */
function openMatching(path: string, buildId: string | null, what: string, options: LocateOptions): ElfFile | null {
  if (!isFile(path)) return null;
  let elf: ElfFile;
  try {
    elf = ElfFile.open(path);
  } catch (error) {
    options.warn(`${path}: ${(error as Error).message}`);
    return null;
  }
  if (buildId !== null) {
    const actual = safeBuildId(elf);
    if (actual !== null && actual !== buildId) {
      options.warn(`${path}: build-id ${actual} is not the recorded ${buildId}; not using this ${what}`);
      elf.close();
      return null;
    }
    if (actual === null && what === 'binary') {
      options.warn(`${path}: has no build-id to check against the recorded ${buildId}; not using it`);
      elf.close();
      return null;
    }
  }
  return elf;
}

function safeBuildId(elf: ElfFile): string | null {
  try {
    return normalizeBuildId(elf.buildId());
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** perf's build-id cache entries for `kind` ('elf' or 'debug'), most specific first. */
function perfCacheCandidates(homeDir: string, recordedPath: string, buildId: string, kind: 'elf' | 'debug'): string[] {
  const root = join(homeDir, '.debug');
  const link = join(root, '.build-id', buildId.slice(0, 2), buildId.slice(2));
  const out = [join(link, kind)];
  if (kind === 'elf' && !isDirectory(link)) out.push(link); // the layout before perf 4.x: the link names the file
  if (isAbsolute(recordedPath) && !recordedPath.split('/').includes('..')) out.push(join(root, recordedPath, buildId, kind));
  // The vdso ("[vdso]"): its image is the file "vdso" of its entry.
  const image = VDSO_PATH.exec(recordedPath)?.[1];
  if (kind === 'elf' && image !== undefined) out.push(...perfCacheImageFiles(homeDir, recordedPath, buildId, image));
  return out;
}

/**
 * Where perf's build-id cache keeps `file` of a kernel-provided image
 * (`[kernel.kallsyms]`'s kallsyms, `[vdso]`'s vdso): ~/.debug/IMAGE/BUILD-ID/FILE,
 * which the link ~/.debug/.build-id/XX/REST also names.
 */
export function perfCacheImageFiles(homeDir: string, image: string, buildId: string, file: string): string[] {
  const root = join(homeDir, '.debug');
  return [join(root, image, buildId, file), join(root, '.build-id', buildId.slice(0, 2), buildId.slice(2), file)];
}

/** Finds the binary and its debug file. The caller owns (and closes) the returned files. */
export function locateFiles(ref: BinaryRef, options: LocateOptions): LocatedFiles {
  const recordedId = normalizeBuildId(ref.buildId);
  if (ref.buildId && !recordedId) options.warn(`${ref.path}: ignoring malformed build-id "${ref.buildId}"`);

  let binary: ElfFile | null = null;
  if (isAbsolute(ref.path)) binary = openMatching(ref.path, recordedId, 'binary', options);
  if (!binary && recordedId) {
    for (const candidate of perfCacheCandidates(options.homeDir, ref.path, recordedId, 'elf')) {
      binary = openMatching(candidate, recordedId, 'binary', options);
      if (binary) break;
    }
  }
  // The vdso's image is this kernel's when its build-id is (symbols/own-vdso.ts).
  if (!binary && recordedId && isVdsoPath(ref.path) && ownVdso()?.buildId === recordedId) binary = openOwnVdso();
  if (!binary && recordedId && options.debuginfod?.enabled) {
    const fetched = options.debuginfod.fetch(recordedId, 'executable');
    if (fetched) binary = openMatching(fetched, recordedId, 'binary', options);
  }

  const buildId = recordedId ?? (binary ? safeBuildId(binary) : null);
  if (binary && hasDwarf(binary)) return { binary, debug: null, buildId };
  const debug = findDebugFile(ref, binary, buildId, options);
  return { binary, debug, buildId };
}

function findDebugFile(ref: BinaryRef, binary: ElfFile | null, buildId: string | null, options: LocateOptions): ElfFile | null {
  const accept = (path: string): ElfFile | null => {
    if (binary && samePath(path, binary.path)) return null;
    const elf = openMatching(path, buildId, 'debug file', options);
    if (elf && !hasDwarf(elf) && !elf.sections.some((s) => s.type === SectionType.SYMTAB)) {
      elf.close();
      return null;
    }
    return elf;
  };
  if (buildId) {
    const candidates = [
      ...perfCacheCandidates(options.homeDir, ref.path, buildId, 'debug'),
      ...options.debugDirs.map((dir) => join(dir, '.build-id', buildId.slice(0, 2), `${buildId.slice(2)}.debug`)),
    ];
    for (const path of candidates) {
      const elf = accept(path);
      if (elf) return elf;
    }
  }
  const link = binary ? safeDebugLink(binary) : null;
  if (link && binary && !link.file.includes('/')) {
    const dirs = new Set([dirname(ref.path), dirname(binary.path)]);
    const candidates: string[] = [];
    for (const dir of dirs) {
      if (!isAbsolute(dir)) continue;
      candidates.push(join(dir, link.file), join(dir, '.debug', link.file));
      for (const debugDir of options.debugDirs) candidates.push(join(debugDir, dir, link.file));
    }
    for (const path of candidates) {
      if (!isFile(path) || samePath(path, binary.path)) continue;
      const crc = safeCrc(path);
      if (crc !== link.crc) {
        options.warn(`${path}: CRC-32 ${hex32(crc)} is not the ${hex32(link.crc)} that ${basename(binary.path)}'s .gnu_debuglink expects; not using it`);
        continue;
      }
      const elf = accept(path);
      if (elf) return elf;
    }
  }
  if (buildId && options.debuginfod?.enabled) {
    const fetched = options.debuginfod.fetch(buildId, 'debuginfo');
    if (fetched) return accept(fetched);
  }
  return null;
}

function safeDebugLink(elf: ElfFile): { file: string; crc: number } | null {
  try {
    return elf.debugLink();
  } catch {
    return null;
  }
}

function safeCrc(path: string): number | null {
  try {
    return fileCrc32(path);
  } catch {
    return null;
  }
}

function hex32(value: number | null): string {
  return value === null ? '(unreadable)' : `0x${value.toString(16).padStart(8, '0')}`;
}

function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
