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
 */

import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { normalizePath, remappedPaths, type PathRemap } from './remaps';

/** Larger than any hand-written source; stops a path to a disk image or log from being slurped. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

export type SourceRead =
  | { kind: 'found'; path: string; readFrom: string; text: string }
  | { kind: 'not-found'; path: string; tried: string[] }
  | { kind: 'refused'; path: string };

export class SourceAccess {
  private readonly named = new Set<string>();
  private readonly picked = new Set<string>();
  private remaps: PathRemap[];

  constructor(namedFiles: Iterable<string>, remaps: readonly PathRemap[] = []) {
    for (const file of namedFiles) this.named.add(normalizePath(file));
    this.remaps = [...remaps];
  }

  /** Every file the profile's functions name (funcs.file). */
  static fromProfile(profile: Profile, remaps: readonly PathRemap[] = []): SourceAccess {
    const files: string[] = [];
    for (let f = 0; f < profile.funcs.length; f++) {
      if (profile.funcs.file[f] >= 0) files.push(stringAt(profile, profile.funcs.file[f]));
    }
    return new SourceAccess(files, remaps);
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
    const normal = normalizePath(path);
    return this.named.has(normal) || this.picked.has(normal);
  }

  /**
   * Where `path` is looked for, in order. A picked file is read only where
   * it is; a named one at its own path (if absolute: a relative debug path
   * would be read from wherever the host happens to run) and then remapped.
   */
  candidates(path: string): string[] {
    const normal = normalizePath(path);
    const out: string[] = [];
    if (this.picked.has(normal)) out.push(normal);
    if (this.named.has(normal)) {
      if (isAbsolute(normal) && !out.includes(normal)) out.push(normal);
      for (const remapped of remappedPaths(normal, this.remaps)) if (!out.includes(remapped)) out.push(remapped);
    }
    return out;
  }

  async read(path: string): Promise<SourceRead> {
    if (!this.isAllowed(path)) return { kind: 'refused', path };
    const tried = this.candidates(path);
    for (const candidate of tried) {
      const info = await statOrNull(candidate);
      // Only regular files: a FIFO or device named in crafted debug info would block or never end.
      if (info === null || !info.isFile() || info.size > MAX_SOURCE_BYTES) continue;
      try {
        return { kind: 'found', path, readFrom: candidate, text: await readFile(candidate, 'utf8') };
      } catch {
        continue; // unreadable (permissions, removed meanwhile): the next candidate may do
      }
    }
    return { kind: 'not-found', path, tried };
  }
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/** One line for a person: why there is no text for `path`. */
export function describeMissing(result: Exclude<SourceRead, { kind: 'found' }>): string {
  if (result.kind === 'refused') return `${result.path}: refused: the profile does not name this file and it was not picked`;
  if (result.tried.length === 0) return `${result.path}: source not found (a relative path; add a remap for it)`;
  return `${result.path}: source not found (tried ${result.tried.join(', ')})`;
}
