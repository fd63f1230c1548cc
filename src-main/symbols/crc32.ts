/**
 * CRC-32 (the IEEE 802.3 polynomial, as zlib computes it) of a whole file:
 * .gnu_debuglink stores this checksum of the debug file, and a debug file
 * whose CRC differs was built from other sources. Uses zlib.crc32 where Node
 * has it (20.15 and later), else a table-driven version.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

let table: Uint32Array | null = null;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** Continues a CRC-32 (`previous`, 0 to start) over `data`. */
export function crc32(data: Uint8Array, previous = 0, useNative = true): number {
  if (useNative && typeof native === 'function') return native(data, previous) >>> 0;
  table ??= makeTable();
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The CRC-32 of the file at `path`, read in 1 MiB chunks. */
export function fileCrc32(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let crc = 0;
    let position = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) return crc;
      crc = crc32(buffer.subarray(0, n), crc);
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}
