/**
 * What an uploaded profile may make the host read. A profile opened by path
 * (a dialog, a drop with a path, argv, a file named on `heatline serve`'s
 * command line) is the user's own recording: every file its debug info names
 * may be read. An uploaded one (openBytes: its bytes come from the window,
 * which is not trusted) could name any file, so the files it names are read
 * only when they look like source code:
 *
 *   - the name ends in a known source or header extension (below); a file
 *     without an extension is never read (passwd, id_rsa, .bashrc);
 *   - no path component starts with '.' (~/.ssh, ~/.config, ~/.gnupg, a
 *     relative `../`);
 *   - not under a system folder that holds no one's sources (/proc, /sys,
 *     /dev, /etc, /root, /run, /boot, macOS's /private/etc and /private/var).
 *
 * Files the user picked with Locate… and paths reached through remaps the
 * user typed are the user's choice and are not checked here.
 *
 * Disassembly, for any profile, runs objdump only on a binary the profile
 * names that is a regular ELF file (its first bytes are checked, on the
 * opened handle); for an uploaded profile the path may not have a component
 * starting with '.' either. A named binary missing from this machine is
 * looked for in the build-id caches, which hold only ELF files.
 */

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname, sep } from 'node:path';
import { normalizePath } from './remaps';
import type { Provenance } from './source-files';

/** Source and header extensions (case matters: `.S` is preprocessed assembly, `.C` C++). */
const SOURCE_EXTENSIONS = new Set(
  [
    // C, C++, CUDA, Objective-C
    'c', 'h', 'C', 'H', 'cc', 'cp', 'cpp', 'cxx', 'c++', 'hpp', 'hh', 'hxx', 'h++', 'inl', 'ipp', 'tcc', 'tpp', 'ixx', 'cppm', 'cu', 'cuh', 'm', 'mm',
    // other compiled languages
    'rs', 'go', 'zig', 'd', 'swift', 'java', 'kt', 'scala', 'cs', 'hs', 'ml', 'mli', 'nim', 'f', 'for', 'f77', 'f90', 'f95', 'f03', 'f08', 'F', 'F90', 'pas', 'ada', 'adb', 'ads', 'v', 'sv', 'vhd', 'cr', 'odin', 'jl',
    // assembly
    's', 'S', 'asm', 'inc',
    // interpreted and JIT languages
    'py', 'pyx', 'pxd', 'rb', 'js', 'mjs', 'cjs', 'ts', 'mts', 'cts', 'tsx', 'jsx', 'lua', 'php', 'pl', 'pm', 'erl', 'ex', 'exs', 'dart', 'wat',
  ].map((e) => `.${e}`),
);

/** Folders whose files are system state or secrets, never someone's sources. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev', '/etc', '/root', '/run', '/boot', '/private/etc', '/private/var'];

/** True when some component of `path` starts with '.' (hidden files and folders, `..`). */
export function hasDotComponent(path: string): boolean {
  return path.split(sep).some((part) => part.startsWith('.'));
}

/** Why an uploaded profile may not make the host read `path`; null when it looks like a source file. */
export function whyNotSource(path: string): string | null {
  const normal = normalizePath(path);
  if (!SOURCE_EXTENSIONS.has(extname(normal))) return 'not a source file name (no known source extension)';
  if (hasDotComponent(normal)) return 'a hidden file or folder (a path component starting with ".")';
  const system = SYSTEM_FOLDERS.find((folder) => normal === folder || normal.startsWith(`${folder}${sep}`));
  if (system !== undefined) return `under ${system}`;
  return null;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/**
 * Why the host will not disassemble `path` (a binary the profile names);
 * null when it may. A path with no file behind it passes: the build-id
 * caches are searched for it, and they only give ELF files.
 */
export async function whyNotBinary(path: string, provenance: Provenance): Promise<string | null> {
  const normal = normalizePath(path);
  if (provenance === 'uploaded' && hasDotComponent(normal)) return 'the profile was uploaded, and this is a hidden file or folder (a path component starting with ".")';
  let handle;
  try {
    handle = await open(normal, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
  }
  try {
    if (!(await handle.stat()).isFile()) return 'not a regular file';
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && ELF_MAGIC.every((byte, i) => head[i] === byte) ? null : 'not an ELF file';
  } catch {
    return 'unreadable';
  } finally {
    await handle.close();
  }
}
