/**
 * The window a zstd frame asks its decoder to allocate. fzstd allocates
 * whatever the frame header declares, so a corrupt header byte could make an
 * import take gigabytes; both zstd readers (perf record -z, heaptrack) refuse
 * frames above zstd's own limit without `--long` first.
 */

/** zstd's largest window at its strongest level (windowLog 27): what `zstd -d` accepts without --long. */
export const MAX_ZSTD_WINDOW = 1 << 27;

/**
 * The window a zstd frame header at the start of `data` asks for (RFC 8878,
 * 3.1.1.1): the window descriptor, or the content size of a single-segment
 * frame; 0 when `data` starts with no zstd frame header.
 */
export function zstdWindowSize(data: Uint8Array): number {
  if (data.length < 6 || data[0] !== 0x28 || data[1] !== 0xb5 || data[2] !== 0x2f || data[3] !== 0xfd) return 0;
  const descriptor = data[4];
  const singleSegment = (descriptor >> 5) & 1;
  if (!singleSegment) {
    const exponent = 10 + (data[5] >> 3);
    const base = 2 ** exponent;
    return base + (base / 8) * (data[5] & 7);
  }
  const dictBytes = [0, 1, 2, 4][descriptor & 3];
  const sizeBytes = [1, 2, 4, 8][descriptor >> 6];
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + (data[5 + dictBytes + i] ?? 0);
  return sizeBytes === 2 ? size + 256 : size;
}
