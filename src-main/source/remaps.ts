/**
 * Path remappings for source files: the debug info names the path the
 * program was built at; the user lists {from, to} prefixes for where the
 * sources live now (another checkout, a copied build tree, a container's
 * mount). Pure path arithmetic, no file system access.
 */

import { isAbsolute, normalize, sep } from 'node:path';

export interface PathRemap {
  /** A path prefix as the debug info spells it. */
  from: string;
  /** The folder that now holds what was under `from`. */
  to: string;
}

/** One spelling per path: `a/./b/../c/` becomes `a/c`, so look-ups cannot be dodged with `..` or `.`. */
export function normalizePath(path: string): string {
  const normal = normalize(path);
  return normal.length > 1 && normal.endsWith(sep) ? normal.slice(0, -1) : normal;
}

/**
 * Where `path` would be under each remap whose `from` is a prefix of it,
 * in the remaps' order. Prefixes match whole components only (`/src` does
 * not match `/srcx/a.c`); a `from` of `.` matches every relative path. A
 * result that would climb out of `to` (a relative debug path starting with
 * `..`) is dropped.
 */
export function remappedPaths(path: string, remaps: readonly PathRemap[]): string[] {
  const target = normalizePath(path);
  const out: string[] = [];
  for (const remap of remaps) {
    const from = normalizePath(remap.from);
    const to = normalizePath(remap.to);
    if (!isAbsolute(to)) continue; // a relative target would depend on the host's working folder
    let rest: string;
    // `.` stands for "relative to the build folder": perf script's srclines name files by base name only.
    if (from === '.' && !isAbsolute(target)) rest = target;
    else if (target === from) rest = '';
    else if (target.startsWith(from.endsWith(sep) ? from : from + sep)) rest = target.slice(from.length).replace(/^\/+/, '');
    else continue;
    const candidate = normalizePath(rest === '' ? to : `${to}${sep}${rest}`);
    if (candidate === to || candidate.startsWith(to.endsWith(sep) ? to : to + sep)) out.push(candidate);
  }
  return out;
}

/**
 * The remap a Locate… pick implies: the user found `named` (the debug path)
 * at `picked`; the trailing components both share are the project's layout,
 * the differing heads are the prefixes. `/build/app/src/x.c` picked at
 * `/home/me/app/src/x.c` gives `/build` → `/home/me`, which then finds every
 * other file of that tree. A relative name (DHAT and perf script name files
 * by base name) wholly shared gives `.` → the picked file's folder. Null
 * when even the file names differ, or when the pick is the named path itself
 * (nothing to remap).
 */
export function remapFromPick(named: string, picked: string): PathRemap | null {
  const namedNormal = normalizePath(named);
  const pickedNormal = normalizePath(picked);
  if (namedNormal === pickedNormal) return null;
  const a = namedNormal.split(sep);
  const b = pickedNormal.split(sep);
  const relative = !isAbsolute(namedNormal);
  // An absolute name keeps at least its root as the old prefix; a relative one may be shared whole.
  const maxShared = relative ? a.length : a.length - 1;
  let shared = 0;
  while (shared < maxShared && shared < b.length - 1 && a[a.length - 1 - shared] === b[b.length - 1 - shared]) shared++;
  if (shared === 0) return null;
  const from = relative && shared === a.length ? '.' : a.slice(0, a.length - shared).join(sep) || sep;
  const to = b.slice(0, b.length - shared).join(sep) || sep;
  return from === to ? null : { from, to };
}
