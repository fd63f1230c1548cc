/**
 * The stack chart painter writes boxes of a pixel or two straight into the
 * canvas's pixels (pixel-boxes.ts), not through fillRect. Its frames must
 * look exactly like the plain way: here both draw the same boxes in
 * Chromium, at device pixel ratios 1 and 2, scrolled or not, and every
 * pixel is compared.
 *
 * The chart is made up for the purpose: rows of single-sample columns in
 * seven colours (two faded as unmatched by a search, one the selected
 * function's), beside boxes a few pixels wide, and no box wide enough for a
 * label (labels are drawn the same way as before).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { bundleForPage, launchChromium } from '../helpers/browser';

let browser: Browser;
let bundle: string;

before(async () => {
  bundle = await bundleForPage(`
    import { createStackChartPainter } from './src-renderer/canvas/stack-chart-painter';
    import { visibleStackChartBoxes } from './src-renderer/canvas/stack-chart-layout';
    window.stackChartUnderTest = { createStackChartPainter, visibleStackChartBoxes };
  `);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Paints the made-up chart both ways in a page; returns how many pixels differ and how many colours were drawn. */
async function compareAt(deviceScaleFactor: number, scrollTop: number): Promise<{ differing: number; colours: number; pixels: number }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 400 }, deviceScaleFactor });
  try {
    await page.setContent('<canvas id="painted"></canvas><canvas id="reference"></canvas>');
    await page.addScriptTag({ content: bundle });
    return await page.evaluate((scrollTop) => {
      type Api = {
        createStackChartPainter(canvas: HTMLCanvasElement): (input: unknown) => void;
        visibleStackChartBoxes(
          chart: unknown,
          view: { start: number; end: number },
          width: number,
          first: number,
          last: number,
        ): { count: number; box: Int32Array; depth: Int32Array; left: Float64Array; right: Float64Array };
      };
      const api = (window as unknown as { stackChartUnderTest: Api }).stackChartUnderTest;
      const width = 600;
      const height = 120;
      const rowHeight = 16;
      // Rows of boxes [start, end) in ns, func by index: row 0 narrow columns, row 1 narrow and 3-20 px boxes, row 2 sparse.
      const rows: { start: number; end: number; func: number }[][] = [[], [], []];
      for (let i = 0; i < 3000; i++) rows[0].push({ start: i * 1000, end: i * 1000 + 1000, func: (i * 5 + (i >> 3)) % 7 });
      for (let t = 0, i = 0; t < 3_000_000; i++) {
        const length = i % 5 === 0 ? 20_000 + (i % 7) * 15_000 : 1000;
        rows[1].push({ start: t, end: Math.min(3_000_000, t + length), func: (i * 3) % 7 });
        t += length;
      }
      for (let i = 0; i < 300; i++) rows[2].push({ start: i * 10_000, end: i * 10_000 + 700, func: i % 7 });
      const all = rows.flat();
      const rowStart = new Int32Array(rows.length + 1);
      rows.forEach((row, d) => (rowStart[d + 1] = rowStart[d] + row.length));
      const chart = {
        thread: 0,
        length: all.length,
        start: Float64Array.from(all, (b) => b.start),
        end: Float64Array.from(all, (b) => b.end),
        func: Int32Array.from(all, (b) => b.func),
        rowStart,
        depthCount: rows.length,
        startTime: 0,
        endTime: 3_000_000,
      };
      const fills = ['hsl(12, 80%, 55%)', 'hsl(30, 70%, 60%)', 'hsl(45, 90%, 50%)', 'hsl(210, 60%, 55%)', 'hsl(100, 50%, 45%)', 'hsl(5, 85%, 40%)', 'hsl(160, 40%, 65%)'];
      const theme = { background: '#fbfaf8', selectedFill: '#3069d8', selectedText: '#ffffff', hoverOutline: '#000000', fontFamily: 'sans-serif' };
      const selectedFunc = 3;
      const dimmedFuncs = Uint8Array.from(fills, (_, f) => (f === 5 || f === 6 ? 1 : 0));
      const boxes = api.visibleStackChartBoxes(chart, { start: 0, end: 3_000_000 }, width, 0, rows.length - 1);

      const painted = document.getElementById('painted') as HTMLCanvasElement;
      api.createStackChartPainter(painted)({
        chart,
        boxes,
        funcNames: fills.map((_, f) => `f${f}`),
        palette: { fills, labels: fills.map(() => '#000000') },
        width,
        height,
        rowHeight,
        scrollTop,
        selectedFunc,
        dimmedFuncs,
        hovered: null,
        theme,
      });

      // The plain way: a fillRect per box, as the painter drew them before.
      const ratio = window.devicePixelRatio;
      const reference = document.getElementById('reference') as HTMLCanvasElement;
      reference.width = painted.width;
      reference.height = painted.height;
      const ctx = reference.getContext('2d', { alpha: false })!;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = theme.background;
      ctx.fillRect(0, 0, width, height);
      for (let i = 0; i < boxes.count; i++) {
        const [depth, left, right] = [boxes.depth[i], boxes.left[i], boxes.right[i]];
        const func = chart.func[boxes.box[i]];
        const selected = func === selectedFunc;
        ctx.globalAlpha = dimmedFuncs[func] === 1 && !selected ? 0.22 : 1;
        const x = Math.round(left);
        const boxWidth = Math.max(1, Math.round(right) - x);
        ctx.fillStyle = selected ? theme.selectedFill : fills[func];
        ctx.fillRect(x, depth * rowHeight - scrollTop, boxWidth > 2 ? boxWidth - 1 : boxWidth, rowHeight - 1);
      }

      const a = painted.getContext('2d')!.getImageData(0, 0, painted.width, painted.height).data;
      const b = ctx.getImageData(0, 0, reference.width, reference.height).data;
      let differing = 0;
      const colours = new Set<number>();
      for (let i = 0; i < a.length; i += 4) {
        // Faded colours may round one step apart: the canvas blends with an 8-bit alpha.
        if (Math.abs(a[i] - b[i]) > 1 || Math.abs(a[i + 1] - b[i + 1]) > 1 || Math.abs(a[i + 2] - b[i + 2]) > 1) differing++;
        colours.add((a[i] << 16) | (a[i + 1] << 8) | a[i + 2]);
      }
      return { differing, colours: colours.size, pixels: a.length / 4 };
    }, scrollTop);
  } finally {
    await page.close();
  }
}

// Scrolled by 7 px, the first row is cut at the top.
for (const [ratio, scrollTop] of [[1, 0], [2, 0], [1, 7], [2, 7]]) {
  test(`narrow stack chart boxes are drawn pixel for pixel as with fillRect, at device pixel ratio ${ratio}, scrolled ${scrollTop} px`, async () => {
    const { differing, colours, pixels } = await compareAt(ratio, scrollTop);
    assert.equal(pixels, 600 * ratio * 120 * ratio);
    // The background, 4 plain fills, the selected fill and 2 faded ones: the chart was really drawn.
    assert.ok(colours >= 8, `only ${colours} colours on the canvas`);
    assert.equal(differing, 0, `${differing} of ${pixels} pixels differ from the fillRect drawing`);
  });
}
