// Draws build/icon.png (512x512): a small flame graph on a dark rounded
// square. Procedural on purpose: no image editor or external tool, and the
// picture is reviewable as code. Run `node build/make-icon.mjs` after editing;
// the PNG is committed. electron-builder derives the macOS .icns and the
// Linux icon sizes from it.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const SUBSAMPLES = 4; // 4x4 samples per pixel for smooth edges

/** Rounded rectangles, painted in order: [x0, y0, x1, y1, radius, [r, g, b]]. */
const shapes = [
  [16, 16, 496, 496, 104, [27, 31, 42]], // background
  // The flame graph, root at the bottom, from deep red to yellow towards the leaves.
  [84, 368, 428, 420, 10, [214, 52, 38]],
  [84, 304, 300, 356, 10, [232, 86, 34]],
  [308, 304, 428, 356, 10, [238, 112, 36]],
  [84, 240, 212, 292, 10, [242, 138, 40]],
  [220, 240, 300, 292, 10, [245, 156, 44]],
  [308, 240, 396, 292, 10, [242, 138, 40]],
  [100, 176, 196, 228, 10, [248, 180, 52]],
  [316, 176, 380, 228, 10, [250, 196, 60]],
  [116, 112, 172, 164, 10, [252, 218, 84]],
];

function inside([x0, y0, x1, y1, radius], x, y) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + radius), x1 - radius);
  const cy = Math.min(Math.max(y, y0 + radius), y1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

// Straight (non-premultiplied) RGBA, one filter byte (0 = none) per row.
const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SUBSAMPLES; sy++) {
      for (let sx = 0; sx < SUBSAMPLES; sx++) {
        const x = px + (sx + 0.5) / SUBSAMPLES;
        const y = py + (sy + 0.5) / SUBSAMPLES;
        let color = null;
        for (const shape of shapes) if (inside(shape, x, y)) color = shape[5];
        if (color) {
          r += color[0];
          g += color[1];
          b += color[2];
          a += 1;
        }
      }
    }
    const at = py * (1 + SIZE * 4) + 1 + px * 4;
    if (a > 0) {
      rows[at] = Math.round(r / a);
      rows[at + 1] = Math.round(g / a);
      rows[at + 2] = Math.round(b / a);
      rows[at + 3] = Math.round((255 * a) / SUBSAMPLES ** 2);
    }
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bits per channel
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const target = new URL('./icon.png', import.meta.url);
writeFileSync(target, png);
console.log(`make-icon: wrote ${target.pathname} (${png.length} bytes)`);
