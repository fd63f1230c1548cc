/**
 * Draws timeline tracks and the ruler on Canvas 2D. A track is a stacked
 * bar per pixel column, written straight into pixels and drawn once: path
 * drawing (a lineTo per column edge per band) cost several milliseconds per
 * frame on a wide timeline, pixels cost a fraction.
 *
 * The pixels are the track transposed (a row per pixel column), so each
 * band of a column is one run that TypedArray.fill writes in native code;
 * drawImage turns it back. Written column by column in the canvas's own
 * layout, a pixel store at a time, a 1000 × 36 track took 1-3 ms while V8
 * ran the loop unoptimized: the first wheel steps of a zoom, four tracks
 * each.
 */

import { CATEGORY_COUNT } from '../../src-shared/analysis/categories';
import type { Activity } from './timeline-activity';
import type { Tick } from './time-axis';

export interface TimelineTheme {
  background: string;
  grid: string;
  text: string;
  /** Per category (categories.ts order). */
  categories: string[];
  dropped: string;
  highlight: string;
  sampleTick: string;
  fontFamily: string;
}

/** Sizes the canvas for its CSS size at the device's pixel ratio and returns a context in CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

const SAMPLE_STRIP = 3;

export interface TrackPaintInput {
  activity: Activity;
  /** CSS pixels; the canvas holds width × devicePixelRatio device pixels. */
  width: number;
  height: number;
  /** CPU share drawn at full height (1 for a thread; the peak for a process). */
  scale: number;
  ticks: readonly Tick[];
  theme: TimelineTheme;
}

/** CSS colours as packed little-endian RGBA words for ImageData, read once per theme through a 1×1 canvas. */
const packed = new Map<string, number>();
function packColor(css: string): number {
  let value = packed.get(css);
  if (value === undefined) {
    const probe = document.createElement('canvas');
    probe.width = probe.height = 1;
    const ctx = probe.getContext('2d', { willReadFrequently: true })!;
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    value = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
    packed.set(css, value);
  }
  return value;
}

/**
 * Each track canvas's frame, kept while its size stays: a new one per track
 * and wheel step (160 KB for a 1000 × 40 track, outside the JS heap) made
 * the collector run during zooms, sometimes inside a step.
 */
interface TransposedFrame {
  /** h × w: row x holds the track's pixel column x, top first. */
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D;
  image: ImageData;
  pixels: Uint32Array;
}

const frames = new WeakMap<HTMLCanvasElement, TransposedFrame>();
function frameOf(canvas: HTMLCanvasElement, w: number, h: number): TransposedFrame | null {
  let frame = frames.get(canvas);
  if (frame === undefined || frame.image.width !== h || frame.image.height !== w) {
    const transposed = new OffscreenCanvas(h, w);
    const ctx = transposed.getContext('2d');
    if (ctx === null) return null;
    const image = ctx.createImageData(h, w);
    frame = { canvas: transposed, ctx, image, pixels: new Uint32Array(image.data.buffer) };
    frames.set(canvas, frame);
  }
  return frame;
}

/** `top` over `bottom`, both packed RGBA; for the translucent highlight. */
function over(top: number, bottom: number): number {
  const alpha = (top >>> 24) / 255;
  const mix = (shift: number) => Math.round(((top >>> shift) & 255) * alpha + ((bottom >>> shift) & 255) * (1 - alpha));
  return ((255 << 24) | (mix(16) << 16) | (mix(8) << 8) | mix(0)) >>> 0;
}

export function paintTrack(canvas: HTMLCanvasElement, input: TrackPaintInput): void {
  const { activity, ticks, theme } = input;
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(input.width * ratio));
  const h = Math.max(1, Math.round(input.height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${input.width}px`;
  canvas.style.height = `${input.height}px`;
  const ctx = canvas.getContext('2d');
  const frame = frameOf(canvas, w, h);
  if (ctx === null || frame === null) return;
  const { pixels } = frame;
  const background = packColor(theme.background);
  const grid = packColor(theme.grid);
  // Typed arrays, not arrays of numbers: a plain array's element kind (small ints or doubles) can
  // change between calls, and the optimized per-column loop below was thrown away when it did.
  const colors = new Uint32Array(CATEGORY_COUNT + 1);
  for (let c = 0; c < CATEGORY_COUNT; c++) colors[c] = packColor(theme.categories[c]);
  colors[CATEGORY_COUNT] = packColor(theme.dropped);
  const highlight = packColor(theme.highlight);
  const litColors = colors.map((color) => over(highlight, color));
  const tick = packColor(theme.sampleTick);
  pixels.fill(background);
  for (const t of ticks) {
    const x = Math.round(t.x * ratio);
    if (x >= 0 && x < w) pixels.fill(grid, x * h, x * h + h);
  }

  const strip = Math.round(SAMPLE_STRIP * ratio);
  const graph = h - strip - Math.max(1, Math.round(ratio));
  const scale = input.scale > 0 ? input.scale : 1;
  const { buckets, cpu, dropped } = activity;
  for (let x = 0; x < w; x++) {
    const column = x * h;
    const bucket = Math.min(buckets - 1, Math.floor((x / w) * buckets));
    // The highlighted share is drawn over the bottom of the stack, as deep as it goes.
    const litTop = graph - Math.round((Math.min(activity.highlight[bucket], scale) / scale) * graph);
    let bottom = graph;
    let sum = 0;
    for (let c = 0; c <= CATEGORY_COUNT; c++) {
      const value = c < CATEGORY_COUNT ? cpu[c * buckets + bucket] : dropped[bucket];
      if (value <= 0) continue;
      sum += value;
      const top = graph - Math.round((Math.min(sum, scale) / scale) * graph);
      // Rows [top, lit) plain, [lit, bottom) lit.
      const lit = Math.max(top, Math.min(bottom, litTop));
      if (lit > top) pixels.fill(colors[c], column + top, column + lit);
      if (bottom > lit) pixels.fill(litColors[c], column + lit, column + bottom);
      bottom = top;
    }
    if (activity.hasSample[bucket] && (x === 0 || Math.floor(((x - 1) / w) * buckets) !== bucket || ratio === 1)) {
      pixels.fill(tick, column + h - strip, column + h);
    }
  }
  frame.ctx.putImageData(frame.image, 0, 0);
  // (x, y) -> (y, x): the frame's row x lands on the canvas's column x. Every pixel lands on one
  // pixel (no smoothing) and replaces what was there.
  ctx.save();
  ctx.setTransform(0, 1, 1, 0, 0, 0);
  ctx.globalCompositeOperation = 'copy';
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(frame.canvas, 0, 0);
  ctx.restore();
}

export function paintRuler(ctx: CanvasRenderingContext2D, ticks: readonly Tick[], width: number, height: number, theme: TimelineTheme): void {
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = `11px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.grid;
  ctx.fillRect(0, height - 1, width, 1);
  for (const tick of ticks) {
    const x = Math.round(tick.x);
    ctx.fillStyle = theme.grid;
    ctx.fillRect(x, height - 7, 1, 7);
    // A label cut by the right edge reads as a different number: leave it out.
    if (x + 3 + ctx.measureText(tick.label).width > width) continue;
    ctx.fillStyle = theme.text;
    ctx.fillText(tick.label, x + 3, height / 2 - 2);
  }
}
