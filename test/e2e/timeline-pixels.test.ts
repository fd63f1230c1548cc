/**
 * The timeline's track painter writes each pixel column as a row of a
 * transposed frame and draws it back with a transposing drawImage
 * (timeline-painter.ts). Its canvas must hold exactly the picture of the
 * plain way: a fillRect per band of each column, in device pixels. Here both
 * draw the same made-up activity in Chromium, at device pixel ratios 1 and
 * 2, and every pixel is compared.
 *
 * The activity has every category, dropped samples, columns over 100% (cut
 * at the top), a highlighted share that ends inside bands and above them,
 * sample ticks, and grid lines at the ruler's ticks. The track is painted
 * twice, another activity first, as on a wheel step: nothing of the first
 * picture may be left.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { bundleForPage, launchChromium } from '../helpers/browser';

let browser: Browser;
let bundle: string;

before(async () => {
  bundle = await bundleForPage(`
    import { paintTrack } from './src-renderer/canvas/timeline-painter';
    import { emptyActivity } from './src-renderer/canvas/timeline-activity';
    import { CATEGORY_COUNT } from './src-shared/analysis/categories';
    window.trackPainterUnderTest = { paintTrack, emptyActivity, CATEGORY_COUNT };
  `);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Paints the made-up track both ways in a page; returns how many pixels differ and how many colours were drawn. */
async function compareAt(deviceScaleFactor: number): Promise<{ differing: number; colours: number; pixels: number; firstDiffering: string }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 200 }, deviceScaleFactor });
  try {
    await page.setContent('<canvas id="painted"></canvas><canvas id="reference"></canvas>');
    await page.addScriptTag({ content: bundle });
    return await page.evaluate(() => {
      interface Activity {
        buckets: number;
        cpu: Float32Array;
        dropped: Float32Array;
        highlight: Float32Array;
        hasSample: Uint8Array;
      }
      type Api = {
        paintTrack(canvas: HTMLCanvasElement, input: unknown): void;
        emptyActivity(buckets: number): Activity;
        CATEGORY_COUNT: number;
      };
      const api = (window as unknown as { trackPainterUnderTest: Api }).trackPainterUnderTest;
      const categories = api.CATEGORY_COUNT;
      const width = 613;
      const height = 36;
      const theme = {
        background: '#fbfaf8',
        grid: '#d8d8de',
        text: '#6b6b72',
        categories: ['#e8590c', '#f2a33a', '#4c8bd6', '#3fa34d', '#9b59b6', '#16a085'].slice(0, categories),
        dropped: '#c8c8ce',
        highlight: 'rgba(192, 38, 211, 0.75)',
        sampleTick: '#8a8a92',
        fontFamily: 'sans-serif',
      };
      const ticks = [0, 97.5, 200, 333.3, 612].map((x) => ({ time: x, x, label: '' }));
      // One bucket per CSS pixel, as TrackGraph asks for.
      const activity = api.emptyActivity(width);
      for (let b = 0; b < width; b++) {
        for (let c = 0; c < categories; c++) activity.cpu[c * width + b] = ((b * (c + 3) + c * 11) % 17) / (b % 9 === 0 ? 20 : 60);
        activity.dropped[b] = b % 5 === 0 ? 0.1 : 0;
        activity.highlight[b] = b % 3 === 0 ? 0 : ((b * 7) % 13) / 10;
        activity.hasSample[b] = b % 4 === 0 ? 0 : 1;
      }
      const painted = document.getElementById('painted') as HTMLCanvasElement;
      // A wheel step: the same canvas painted again with other values.
      const before = api.emptyActivity(width);
      before.cpu.fill(1);
      before.hasSample.fill(1);
      api.paintTrack(painted, { activity: before, width, height, scale: 1, ticks: [], theme });
      api.paintTrack(painted, { activity, width, height, scale: 1, ticks, theme });

      // The plain way, in device pixels: a fillRect per band of each column.
      const ratio = window.devicePixelRatio;
      const w = Math.round(width * ratio);
      const h = Math.round(height * ratio);
      const reference = document.getElementById('reference') as HTMLCanvasElement;
      reference.width = w;
      reference.height = h;
      const ctx = reference.getContext('2d')!;
      ctx.fillStyle = theme.background;
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = theme.grid;
      for (const t of ticks) ctx.fillRect(Math.round(t.x * ratio), 0, 1, h);
      const strip = Math.round(3 * ratio);
      const graph = h - strip - Math.max(1, Math.round(ratio));
      const colours = [...theme.categories, theme.dropped];
      for (let x = 0; x < w; x++) {
        const bucket = Math.min(width - 1, Math.floor((x / w) * width));
        const litTop = graph - Math.round(Math.min(activity.highlight[bucket], 1) * graph);
        let bottom = graph;
        let sum = 0;
        for (let c = 0; c <= categories; c++) {
          const value = c < categories ? activity.cpu[c * width + bucket] : activity.dropped[bucket];
          if (value <= 0) continue;
          sum += value;
          const top = graph - Math.round(Math.min(sum, 1) * graph);
          ctx.fillStyle = colours[c];
          ctx.fillRect(x, top, 1, bottom - top);
          const litFrom = Math.max(top, litTop);
          if (litFrom < bottom) {
            ctx.fillStyle = theme.highlight;
            ctx.fillRect(x, litFrom, 1, bottom - litFrom);
          }
          bottom = top;
        }
        const firstOfBucket = x === 0 || Math.floor(((x - 1) / w) * width) !== bucket;
        if (activity.hasSample[bucket] && (firstOfBucket || ratio === 1)) {
          ctx.fillStyle = theme.sampleTick;
          ctx.fillRect(x, h - strip, 1, strip);
        }
      }

      const a = painted.getContext('2d')!.getImageData(0, 0, painted.width, painted.height).data;
      const b = ctx.getImageData(0, 0, w, h).data;
      if (a.length !== b.length) return { differing: -1, colours: 0, pixels: a.length / 4, firstDiffering: `sizes ${painted.width}x${painted.height} and ${w}x${h}` };
      let differing = 0;
      let firstDiffering = '';
      const seen = new Set<number>();
      for (let i = 0; i < a.length; i += 4) {
        // The highlight is blended by the canvas in one and by the painter in the other: one step of rounding apart at most.
        if (Math.abs(a[i] - b[i]) > 1 || Math.abs(a[i + 1] - b[i + 1]) > 1 || Math.abs(a[i + 2] - b[i + 2]) > 1 || a[i + 3] !== b[i + 3]) {
          if (differing++ === 0) firstDiffering = `at (${(i / 4) % w}, ${Math.floor(i / 4 / w)}): ${[...a.slice(i, i + 4)]} against ${[...b.slice(i, i + 4)]}`;
        }
        seen.add((a[i] << 16) | (a[i + 1] << 8) | a[i + 2]);
      }
      return { differing, colours: seen.size, pixels: a.length / 4, firstDiffering };
    });
  } finally {
    await page.close();
  }
}

for (const ratio of [1, 2]) {
  test(`a timeline track is drawn pixel for pixel as with a fillRect per band, at device pixel ratio ${ratio}`, async () => {
    const { differing, colours, pixels, firstDiffering } = await compareAt(ratio);
    assert.equal(pixels, 613 * ratio * 36 * ratio);
    // Background, grid, tick, the categories and dropped, and their highlighted shades: the track was really drawn.
    assert.ok(colours >= 10, `only ${colours} colours on the canvas`);
    assert.equal(differing, 0, `${differing} of ${pixels} pixels differ from the fillRect drawing; the first ${firstDiffering}`);
  });
}
