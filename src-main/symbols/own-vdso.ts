/**
 * The vdso this process was given: the running kernel's, the same image
 * every process on this boot maps. perf report falls back on its own copy
 * the same way when the recording's is not in ~/.debug: recorded by root
 * (whose ~/.debug is not the user's), with --no-buildid-cache, or by perf
 * 6.1's `record -z`, which writes every build-id empty.
 *
 * Read from /proc/self/mem at the `[vdso]` line of /proc/self/maps; Linux
 * only (null elsewhere, and when either cannot be read).
 */

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { ElfFile } from './elf/elf-file';

export interface OwnVdso {
  image: Uint8Array;
  /** Its GNU build-id, lowercase hex, or null when it has none. */
  buildId: string | null;
}

/** A label for the image where a path would be shown. */
const OWN_VDSO_LABEL = "[vdso] (this kernel's, from memory)";

/** Larger than any vdso (a few pages): a maps line saying more is not believed. */
const MAX_VDSO_BYTES = 1 << 20;

let cached: OwnVdso | null | undefined;

export function ownVdso(): OwnVdso | null {
  if (cached === undefined) cached = readOwnVdso();
  return cached;
}

/** Opens the image as an ELF file, or null when there is none. The caller closes it. */
export function openOwnVdso(): ElfFile | null {
  const vdso = ownVdso();
  return vdso ? ElfFile.fromImage(OWN_VDSO_LABEL, vdso.image) : null;
}

function readOwnVdso(): OwnVdso | null {
  try {
    const line = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .find((l) => l.endsWith(' [vdso]'));
    const range = line ? /^([0-9a-f]+)-([0-9a-f]+) /.exec(line) : null;
    if (!range) return null;
    const start = BigInt(`0x${range[1]}`);
    const length = Number(BigInt(`0x${range[2]}`) - start);
    if (length <= 0 || length > MAX_VDSO_BYTES) return null;
    const image = new Uint8Array(length);
    const fd = openSync('/proc/self/mem', 'r');
    try {
      if (readSync(fd, image, 0, length, start) !== length) return null;
    } finally {
      closeSync(fd);
    }
    const elf = ElfFile.fromImage(OWN_VDSO_LABEL, image);
    try {
      return { image, buildId: elf.buildId() };
    } finally {
      elf.close();
    }
  } catch {
    return null; // not Linux, no /proc, or not an ELF image: no fallback, as before
  }
}
