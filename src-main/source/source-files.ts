/**
 * Reading source files for annotation, on behalf of a caller we do not
 * trust (the window). The rule from issue 5: read only files that the
 * profile's debug info names, or that the user picked in a Locate… dialog;
 * refuse everything else. For a named file, try the debug info's path first,
 * then each remap in order; otherwise answer "not found" with the paths tried.
 *
 * The allow-list is checked on the normalised path, so `..`, `.` and doubled
 * slashes cannot reach a file outside it. A remapped path is derived from an
 * allowed one and must stay inside the remap's target folder. Symlinks are
 * followed: a path the debug info names is the user's own build tree, and a
 * remap target is a folder the user chose.
 *
 * An uploaded profile (openBytes) is not the user's own file: what its debug
 * info names is read only when it looks like source (source-rules.ts).
 */

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { normalizePath, remappedPaths, type PathRemap } from './remaps';
import { whyNotSource } from './source-rules';

/** Larger than any hand-written source (the biggest generated ones are a few MiB); stops a disk image or log from crossing to the window. */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

const NOT_NAMED = 'the profile does not name this file and it was not picked';
const READ_CHUNK_BYTES = 256 * 1024;

/** How the profile reached the host: by a path the user chose, or as bytes the window uploaded. */
export type Provenance = 'opened-by-path' | 'uploaded';

export type SourceRead =
  | { kind: 'found'; path: string; readFrom: string; text: string }
  | { kind: 'not-found'; path: string; tried: string[] }
  /** `reason` defaults to "not named and not picked". */
  | { kind: 'refused'; path: string; reason?: string };

export class SourceAccess {
  private readonly named = new Set<string>();
  private readonly picked = new Set<string>();
  private remaps: PathRemap[];

  constructor(
    namedFiles: Iterable<string>,
    remaps: readonly PathRemap[] = [],
    readonly provenance: Provenance = 'opened-by-path',
  ) {
    for (const file of namedFiles) this.named.add(normalizePath(file));
    this.remaps = [...remaps];
  }

  /**
   * Every file the profile's functions and frames name (funcs.file,
   * frames.file). The default
   * provenance is the CLI's (a file named on its command line); the host
   * passes 'uploaded' for openBytes.
   */
  static fromProfile(profile: Profile, remaps: readonly PathRemap[] = [], provenance: Provenance = 'opened-by-path'): SourceAccess {
    const named = new Set<number>();
    for (const file of profile.funcs.file) if (file >= 0) named.add(file);
    for (const file of profile.frames.file) if (file >= 0) named.add(file);
    return new SourceAccess([...named].map((file) => stringAt(profile, file)), remaps, provenance);
  }

  /** The remaps in use, first tried first (a copy). */
  getRemaps(): PathRemap[] {
    return this.remaps.map((r) => ({ ...r }));
  }

  setRemaps(remaps: readonly PathRemap[]): void {
    this.remaps = [...remaps];
  }

  /** The user picked this file (Locate…): it may be read as is. Only absolute paths: a dialog gives nothing else. */
  allowPicked(path: string): void {
    if (!isAbsolute(path)) throw new Error(`a picked file needs an absolute path, not "${path}"`);
    this.picked.add(normalizePath(path));
  }

  isAllowed(path: string): boolean {
    return this.whyRefused(path) === null;
  }

  /** Why `path` may not be read; null when it may. */
  whyRefused(path: string): string | null {
    const normal = normalizePath(path);
    if (this.picked.has(normal)) return null;
    if (!this.named.has(normal)) return NOT_NAMED;
    if (this.provenance === 'opened-by-path') return null;
    const why = whyNotSource(normal);
    return why === null ? null : `the profile was uploaded, and this is ${why}`;
  }

  /**
   * Where `path` is looked for, in order. A picked file is read only where
   * it is; a named one at its own path (if absolute: a relative debug path
   * would be read from wherever the host happens to run) and then remapped.
   * For an uploaded profile a remapped path must look like source too: the
   * remaps also come from the window, so they could aim an allowed name at a
   * hidden or system folder.
   */
  candidates(path: string): string[] {
    const normal = normalizePath(path);
    const out: string[] = [];
    if (this.picked.has(normal)) out.push(normal);
    if (this.named.has(normal) && this.whyRefused(normal) === null) {
      if (isAbsolute(normal) && !out.includes(normal)) out.push(normal);
      for (const remapped of remappedPaths(normal, this.remaps)) {
        if (this.provenance === 'uploaded' && whyNotSource(remapped) !== null) continue;
        if (!out.includes(remapped)) out.push(remapped);
      }
    }
    return out;
  }

  async read(path: string): Promise<SourceRead> {
    const refused = this.whyRefused(path);
    if (refused !== null) return { kind: 'refused', path, reason: refused };
    const tried = this.candidates(path);
    for (const candidate of tried) {
      const text = await readSourceText(candidate);
      if (text !== null) return { kind: 'found', path, readFrom: candidate, text };
    }
    return { kind: 'not-found', path, tried };
  }
}

/**
 * The text of `path` if it is a regular file of at most MAX_SOURCE_BYTES;
 * else null. The checks are made on the opened handle, not the name, so a
 * FIFO or device swapped in after a check cannot block a thread (the open
 * does not wait: O_NONBLOCK), and a file that grows while it is read is read
 * at most one byte past the cap and then refused.
 */
export async function readSourceText(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null; // missing or unreadable: the next candidate may do
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_SOURCE_BYTES) return null;
    // Read to the end, not to the size fstat gave: the file may have grown since.
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= MAX_SOURCE_BYTES) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, MAX_SOURCE_BYTES + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    if (length > MAX_SOURCE_BYTES) return null;
    return Buffer.concat(chunks, length).toString('utf8');
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** One line for a person: why there is no text for `path`. */
export function describeMissing(result: Exclude<SourceRead, { kind: 'found' }>): string {
  if (result.kind === 'refused') return `${result.path}: refused: ${result.reason ?? NOT_NAMED}`;
  if (result.tried.length === 0) return `${result.path}: source not found (a relative path; add a remap for it)`;
  return `${result.path}: source not found (tried ${result.tried.join(', ')}; a remap can point to where the sources are)`;
}
