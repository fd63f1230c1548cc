/**
 * Draws a flame layout on a Canvas 2D context. Only rows and boxes inside the
 * viewport are drawn; the canvas is the size of the viewport (not of the
 * whole graph), so a deep graph costs no more memory than a shallow one.
 *
 * The painter is behind a small interface (FlamePainter) so that a WebGL
 * painter can replace it for very large profiles without touching the
 * layout or the component.
 */

import type { CallTree } from '../../src-shared/analysis/call-tree';
import { yOfDepth, type FlameViewport } from './flame-geometry';
import type { Palette } from './flame-colors';
import type { FlameLayout, IndexIntoFlameLayout } from './flame-layout';
import { cachedMeasure, fitText, type MeasureText } from './text-fit';

export interface FlameTheme {
  background: string;
  selectedFill: string;
  selectedText: string;
  hoverOutline: string;
  /** CSS font-family list, the same as the page's, so labels match the UI. */
  fontFamily: string;
}

export interface FlamePaintInput {
  layout: FlameLayout;
  tree: CallTree;
  /** Per function (IndexIntoFuncTable): display name, box fill and label colour. */
  funcNames: readonly string[];
  palette: Palette;
  viewport: FlameViewport;
  /** Boxes of this function are highlighted; -1 for none. */
  selectedFunc: number;
  /** Per function: 1 draws its boxes faded (they do not match the search); null fades none. */
  dimmedFuncs?: Uint8Array | null;
  hoveredBox: IndexIntoFlameLayout;
  theme: FlameTheme;
}

export interface FlamePainter {
  paint(input: FlamePaintInput): void;
}

const FONT_SIZE = 11;
const TEXT_PADDING = 4;
/** Boxes narrower than this get no label: a few letters and an ellipsis read as noise. */
const MIN_LABEL_WIDTH = 28;
/** Context rows below a zoom root are drawn faded, so the zoomed subtree reads as the subject. */
const ANCESTOR_ALPHA = 0.5;
/** Boxes that do not match the search fade this far, so the matches stand out. */
const UNMATCHED_ALPHA = 0.22;

export function createCanvasFlamePainter(canvas: HTMLCanvasElement): FlamePainter {
  const context = canvas.getContext('2d', { alpha: false });
  if (context === null) throw new Error('this browser cannot draw on a 2D canvas');
  const ctx = context;
  let font = '';
  let measure: MeasureText = (text) => ctx.measureText(text).width;

  const resize = (viewport: FlameViewport, ratio: number) => {
    const width = Math.max(1, Math.round(viewport.width * ratio));
    const height = Math.max(1, Math.round(viewport.height * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    canvas.style.width = `${viewport.width}px`;
    canvas.style.height = `${viewport.height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  };

  return {
    paint(input) {
      const { layout, tree, funcNames, palette, viewport, selectedFunc, hoveredBox, theme } = input;
      const dimmed = input.dimmedFuncs ?? null;
      // Device pixels, so text and edges are sharp on HiDPI screens.
      resize(viewport, window.devicePixelRatio || 1);
      const wantedFont = `${FONT_SIZE}px ${theme.fontFamily}`;
      if (wantedFont !== font) {
        font = wantedFont;
        ctx.font = font;
        measure = cachedMeasure((text) => ctx.measureText(text).width);
      }
      ctx.font = font;
      ctx.textBaseline = 'middle';
      ctx.fillStyle = theme.background;
      ctx.fillRect(0, 0, viewport.width, viewport.height);

      const { rowHeight, width } = viewport;
      for (let depth = 0; depth < layout.depthCount; depth++) {
        const top = yOfDepth(layout, depth, viewport);
        if (top + rowHeight <= 0 || top >= viewport.height) continue;
        const rowAlpha = depth < layout.zoomDepth ? ANCESTOR_ALPHA : 1;
        for (let box = layout.rowStart[depth]; box < layout.rowStart[depth + 1]; box++) {
          // Snap edges to whole pixels and keep a 1px gap between neighbours.
          const left = Math.round(layout.x[box] * width);
          const right = Math.round((layout.x[box] + layout.width[box]) * width);
          const boxWidth = right - left;
          if (boxWidth < 1) continue;
          const func = tree.func[layout.node[box]];
          const selected = func === selectedFunc;
          ctx.globalAlpha = dimmed !== null && dimmed[func] === 1 && !selected ? rowAlpha * UNMATCHED_ALPHA : rowAlpha;
          ctx.fillStyle = selected ? theme.selectedFill : palette.fills[func];
          ctx.fillRect(left, top, boxWidth > 2 ? boxWidth - 1 : boxWidth, rowHeight - 1);
          if (boxWidth < MIN_LABEL_WIDTH) continue;
          const label = fitText(funcNames[func], boxWidth - 2 * TEXT_PADDING, measure);
          if (label === '') continue;
          ctx.fillStyle = selected ? theme.selectedText : palette.labels[func];
          ctx.fillText(label, left + TEXT_PADDING, top + (rowHeight - 1) / 2);
        }
      }
      ctx.globalAlpha = 1;

      if (hoveredBox >= 0 && hoveredBox < layout.length) {
        const top = yOfDepth(layout, layout.depth[hoveredBox], viewport);
        const left = Math.round(layout.x[hoveredBox] * width);
        const right = Math.round((layout.x[hoveredBox] + layout.width[hoveredBox]) * width);
        ctx.strokeStyle = theme.hoverOutline;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(left + 0.75, top + 0.75, Math.max(1, right - left - 2.5), rowHeight - 2.5);
      }
    },
  };
}
