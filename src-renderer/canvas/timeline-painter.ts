/**
 * Draws timeline tracks and the ruler on Canvas 2D. A track is a stacked
 * bar per pixel column, written straight into an ImageData and put once:
 * path drawing (a lineTo per column edge per band) cost several
 * milliseconds per frame on a wide timeline, pixels cost a fraction.
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
 * Each track canvas's frame, kept while its size stays: a new ImageData per
 * track and wheel step (160 KB for a 1000 × 40 track, outside the JS heap)
 * made the collector run during zooms, sometimes inside a step.
 */
const frames = new WeakMap<HTMLCanvasElement, { image: ImageData; pixels: Uint32Array }>();
function frameOf(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, w: number, h: number): { image: ImageData; pixels: Uint32Array } {
  let frame = frames.get(canvas);
  if (frame === undefined || frame.image.width !== w || frame.image.height !== h) {
    const image = ctx.createImageData(w, h);
    frame = { image, pixels: new Uint32Array(image.data.buffer) };
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
  if (ctx === null) return;
  const { image, pixels } = frameOf(canvas, ctx, w, h);
  const background = packColor(theme.background);
  const grid = packColor(theme.grid);
  // Typed arrays, not arrays of numbers: a plain array's element kind (small ints or doubles) can
  // change between calls, and the optimized per-pixel loop below was thrown away when it did.
  const colors = new Uint32Array(CATEGORY_COUNT + 1);
  for (let c = 0; c < CATEGORY_COUNT; c++) colors[c] = packColor(theme.categories[c]);
  colors[CATEGORY_COUNT] = packColor(theme.dropped);
  const highlight = packColor(theme.highlight);
  const litColors = colors.map((color) => over(highlight, color));
  const tick = packColor(theme.sampleTick);
  pixels.fill(background);
  for (const t of ticks) {
    const x = Math.round(t.x * ratio);
    if (x >= 0 && x < w) for (let y = 0; y < h; y++) pixels[y * w + x] = grid;
  }

  const strip = Math.round(SAMPLE_STRIP * ratio);
  const graph = h - strip - Math.max(1, Math.round(ratio));
  const scale = input.scale > 0 ? input.scale : 1;
  const { buckets } = activity;
  const values = new Float32Array(CATEGORY_COUNT + 1);
  for (let x = 0; x < w; x++) {
    const bucket = Math.min(buckets - 1, Math.floor((x / w) * buckets));
    for (let c = 0; c < CATEGORY_COUNT; c++) values[c] = activity.cpu[c * buckets + bucket];
    values[CATEGORY_COUNT] = activity.dropped[bucket];
    // The highlighted share is drawn over the bottom of the stack, as deep as it goes.
    const litTop = graph - Math.round((Math.min(activity.highlight[bucket], scale) / scale) * graph);
    let bottom = graph;
    let sum = 0;
    for (let c = 0; c <= CATEGORY_COUNT; c++) {
      if (values[c] <= 0) continue;
      sum += values[c];
      const top = graph - Math.round((Math.min(sum, scale) / scale) * graph);
      for (let y = top; y < bottom; y++) pixels[y * w + x] = y >= litTop ? litColors[c] : colors[c];
      bottom = top;
    }
    if (activity.hasSample[bucket] && (x === 0 || Math.floor(((x - 1) / w) * buckets) !== bucket || ratio === 1)) {
      for (let y = h - strip; y < h; y++) pixels[y * w + x] = tick;
    }
  }
  ctx.putImageData(image, 0, 0);
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
