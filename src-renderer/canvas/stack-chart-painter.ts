/**
 * Draws stack chart boxes (from visibleStackChartBoxes) on Canvas 2D, with
 * the flame graph's colours, labels and highlight rules.
 */

import type { StackChart } from '../../src-shared/analysis/stack-chart';
import type { Palette } from './flame-colors';
import type { FlameTheme } from './flame-painter';
import { PixelBoxes } from './pixel-boxes';
import type { DrawBox, DrawBoxes } from './stack-chart-layout';
import { cachedMeasure, fitText, type MeasureText } from './text-fit';

export interface StackChartPaintInput {
  chart: StackChart;
  boxes: DrawBoxes;
  funcNames: readonly string[];
  palette: Palette;
  width: number;
  height: number;
  rowHeight: number;
  /** Pixels of the chart scrolled above the top. */
  scrollTop: number;
  selectedFunc: number;
  dimmedFuncs: Uint8Array | null;
  hovered: DrawBox | null;
  theme: FlameTheme;
}

const FONT_SIZE = 11;
const TEXT_PADDING = 4;
const MIN_LABEL_WIDTH = 28;
const UNMATCHED_ALPHA = 0.22;

export function createStackChartPainter(canvas: HTMLCanvasElement): (input: StackChartPaintInput) => void {
  const context = canvas.getContext('2d', { alpha: false });
  if (context === null) throw new Error('this browser cannot draw on a 2D canvas');
  const ctx = context;
  let font = '';
  let measure: MeasureText = (text) => ctx.measureText(text).width;
  const pixels = new PixelBoxes(ctx);
  // Each function's pixel, plain and faded, made on first use per palette and background.
  let packed = { fills: [] as readonly string[], background: '', opaque: new Uint32Array(0), faded: new Uint32Array(0) };
  return (input) => {
    const { chart, boxes, funcNames, palette, width, height, rowHeight, scrollTop, selectedFunc, dimmedFuncs, theme } = input;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width * ratio));
    const h = Math.max(1, Math.round(height * ratio));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const wantedFont = `${FONT_SIZE}px ${theme.fontFamily}`;
    if (wantedFont !== font) {
      font = wantedFont;
      ctx.font = font;
      measure = cachedMeasure((text) => ctx.measureText(text).width);
    }
    ctx.font = font;
    ctx.textBaseline = 'middle';
    // Boxes of up to 2 px (drawn without the gap wider ones get) go straight into the pixels
    // (pixel-boxes.ts); the wider ones and their labels are drawn over those afterwards.
    pixels.begin(w, h, theme.background);
    if (packed.fills !== palette.fills || packed.background !== theme.background) {
      packed = { fills: palette.fills, background: theme.background, opaque: new Uint32Array(palette.fills.length), faded: new Uint32Array(palette.fills.length) };
    }
    const selectedColor = pixels.pack(theme.selectedFill, 1);
    // The device line being written (the first of the current row's) and the end of that row's lines.
    let line = -1;
    let lineEnd = -1;
    const wide: number[] = [];
    for (let i = 0; i < boxes.count; i++) {
      const top = boxes.depth[i] * rowHeight - scrollTop;
      if (top + rowHeight <= 0 || top >= height) continue;
      const x = Math.round(boxes.left[i]);
      const boxWidth = Math.max(1, Math.round(boxes.right[i]) - x);
      if (boxWidth > 2) {
        wide.push(i);
        continue;
      }
      const y0 = Math.max(0, Math.round(top * ratio));
      const y1 = Math.min(h, Math.round((top + rowHeight - 1) * ratio));
      if (y1 <= y0) continue;
      if (y0 !== line) {
        pixels.repeatLine(line, lineEnd);
        line = y0;
        lineEnd = y1;
      }
      const func = chart.func[boxes.box[i]];
      let color = selectedColor;
      if (func !== selectedFunc) {
        const faded = dimmedFuncs !== null && dimmedFuncs[func] === 1;
        const table = faded ? packed.faded : packed.opaque;
        color = table[func];
        // 0 is no packed pixel (those are opaque): not made yet.
        if (color === 0) color = table[func] = pixels.pack(palette.fills[func], faded ? UNMATCHED_ALPHA : 1);
      }
      pixels.fillLine(line, Math.round(x * ratio), Math.round((x + boxWidth) * ratio), color);
    }
    pixels.repeatLine(line, lineEnd);
    pixels.put();

    for (const i of wide) {
      const top = boxes.depth[i] * rowHeight - scrollTop;
      const func = chart.func[boxes.box[i]];
      const selected = func === selectedFunc;
      ctx.globalAlpha = dimmedFuncs !== null && dimmedFuncs[func] === 1 && !selected ? UNMATCHED_ALPHA : 1;
      const x = Math.round(boxes.left[i]);
      const boxWidth = Math.round(boxes.right[i]) - x;
      ctx.fillStyle = selected ? theme.selectedFill : palette.fills[func];
      ctx.fillRect(x, top, boxWidth - 1, rowHeight - 1);
      if (boxWidth < MIN_LABEL_WIDTH) continue;
      const label = fitText(funcNames[func], boxWidth - 2 * TEXT_PADDING, measure);
      if (label === '') continue;
      ctx.fillStyle = selected ? theme.selectedText : palette.labels[func];
      ctx.fillText(label, x + TEXT_PADDING, top + (rowHeight - 1) / 2);
    }
    ctx.globalAlpha = 1;
    const hovered = input.hovered;
    if (hovered !== null) {
      const top = hovered.depth * rowHeight - scrollTop;
      ctx.strokeStyle = theme.hoverOutline;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(Math.round(hovered.left) + 0.75, top + 0.75, Math.max(1, Math.round(hovered.right - hovered.left) - 2.5), rowHeight - 2.5);
    }
  };
}
