/**
 * The flame graph's drawing surface: connects the pure layout, the canvas
 * painter and the mouse. It reads no store; FlameGraph.tsx hands it the call
 * tree, the zoom and the selection, and is told about clicks.
 *
 * Scrolling: the canvas is exactly the visible area and sticks to the top of
 * a scrolling box whose height is the whole graph's, so a deep graph scrolls
 * natively while only visible rows are ever drawn.
 */

import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CallTree, IndexIntoCallTree } from '../../src-shared/analysis/call-tree';
import { depthAtY, scrollHeight, type FlameViewport } from '../canvas/flame-geometry';
import { boxAt, computeFlameLayout, type FlameOrientation } from '../canvas/flame-layout';
import { createCanvasFlamePainter, type FlamePainter, type FlameTheme } from '../canvas/flame-painter';
import type { ColorScheme, Palette } from '../canvas/flame-colors';
import { useElementSize } from './use-element-size';

const ROW_HEIGHT = 18;
/** Boxes narrower than this many CSS pixels are not laid out: they would be invisible slivers. */
const MIN_BOX_WIDTH = 1;
/** How many of the widest boxes the text alternative lists. */
const MAX_LISTED_BOXES = 40;

export interface FlameGraphCanvasProps {
  tree: CallTree;
  funcNames: readonly string[];
  palette: Palette;
  colorScheme: ColorScheme;
  zoomNode: IndexIntoCallTree;
  selectedFunc: number;
  orientation: FlameOrientation;
  /** Per function: 1 fades its boxes (search non-matches); null fades none. */
  dimmedFuncs?: Uint8Array | null;
  onZoomNode(node: IndexIntoCallTree): void;
  onZoomOut(): void;
  tooltipFor(node: IndexIntoCallTree): ReactNode;
  /** The node under the pointer changed (-1: none). */
  onHoverNode?(node: IndexIntoCallTree): void;
  onContextMenuNode?(node: IndexIntoCallTree, x: number, y: number): void;
}

interface Hover {
  box: number;
  /** Pointer position inside the graph's frame, in CSS pixels. */
  x: number;
  y: number;
}

function readTheme(element: HTMLElement): FlameTheme {
  const style = getComputedStyle(element);
  const variable = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: variable('--flame-background', '#ffffff'),
    selectedFill: variable('--flame-selected', '#c026d3'),
    selectedText: variable('--flame-selected-text', '#ffffff'),
    hoverOutline: variable('--flame-hover', '#1d1d1f'),
    fontFamily: style.fontFamily || 'system-ui, sans-serif',
  };
}

export function FlameGraphCanvas(props: FlameGraphCanvasProps) {
  const { tree, funcNames, palette, colorScheme, zoomNode, selectedFunc, orientation, onHoverNode } = props;
  const dimmedFuncs = props.dimmedFuncs ?? null;
  const frame = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const painter = useRef<FlamePainter | null>(null);
  const size = useElementSize(scroller);
  const [scrollTop, setScrollTop] = useState(0);
  const [hover, setHover] = useState<Hover | null>(null);
  const [theme, setTheme] = useState<FlameTheme | null>(null);

  const layout = useMemo(
    () => computeFlameLayout(tree, { zoomNode, orientation, viewportWidth: size.width, minBoxWidth: MIN_BOX_WIDTH }),
    [tree, zoomNode, orientation, size.width],
  );
  const viewport: FlameViewport = useMemo(
    () => ({ width: size.width, height: size.height, scrollTop, rowHeight: ROW_HEIGHT }),
    [size.width, size.height, scrollTop],
  );
  const spacerHeight = Math.max(0, scrollHeight(layout, viewport) - size.height);

  // The CSS variables change with the colour scheme; read them again when it flips.
  useEffect(() => {
    if (scroller.current) setTheme(readTheme(scroller.current));
  }, [colorScheme]);

  // The view stays on the root rows (the bottom of a flame graph, the top of an
  // icicle) until the user scrolls away: the graph's height changes after the
  // first paint (the pane is measured, the worker's tree arrives), and a view
  // left mid-graph would hide the roots. A new tree or zoom pins it again.
  const pinnedToRoot = useRef(true);
  useLayoutEffect(() => {
    pinnedToRoot.current = true;
    setHover(null);
  }, [tree, zoomNode, orientation]);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null || !pinnedToRoot.current) return;
    element.scrollTop = orientation === 'root-bottom' ? element.scrollHeight : 0;
    setScrollTop(element.scrollTop);
  }, [tree, zoomNode, orientation, spacerHeight, size.height]);
  const onScroll = (element: HTMLDivElement) => {
    const atRootEnd =
      orientation === 'root-bottom' ? element.scrollTop + element.clientHeight >= element.scrollHeight - 1 : element.scrollTop <= 0;
    pinnedToRoot.current = atRootEnd;
    setScrollTop(element.scrollTop);
  };

  useLayoutEffect(() => {
    if (canvas.current === null || theme === null || size.width === 0 || size.height === 0) return;
    painter.current ??= createCanvasFlamePainter(canvas.current);
    painter.current.paint({
      layout,
      tree,
      funcNames,
      palette,
      viewport,
      selectedFunc,
      dimmedFuncs,
      hoveredBox: hover?.box ?? -1,
      theme,
    });
  }, [layout, tree, funcNames, palette, viewport, selectedFunc, dimmedFuncs, hover?.box, theme, size.width, size.height]);

  const hitTest = (clientX: number, clientY: number): Hover | null => {
    const rect = canvas.current?.getBoundingClientRect();
    const frameRect = frame.current?.getBoundingClientRect();
    if (!rect || !frameRect || size.width === 0) return null;
    const depth = depthAtY(layout, clientY - rect.top, viewport);
    const box = boxAt(layout, depth, (clientX - rect.left) / size.width);
    return { box, x: clientX - frameRect.left, y: clientY - frameRect.top };
  };

  const hoveredNode = hover !== null && hover.box >= 0 ? layout.node[hover.box] : -1;
  // The canvas says nothing to a screen reader: list the widest boxes in text (tests read it too).
  const widest = useMemo(() => {
    const boxes = Array.from({ length: layout.length }, (_, b) => b).filter((b) => b >= 0 && layout.width[b] >= 0.01);
    boxes.sort((a, b) => layout.width[b] - layout.width[a] || a - b);
    return boxes.slice(0, MAX_LISTED_BOXES);
  }, [layout]);
  useEffect(() => onHoverNode?.(hoveredNode), [hoveredNode, onHoverNode]);

  return (
    <div className="flame-frame" ref={frame}>
      <div
        className="flame-scroller"
        data-testid="flame-graph"
        ref={scroller}
        tabIndex={0}
        role="group"
        aria-label="Flame graph. Click a box to zoom into it; Escape zooms out."
        style={{ cursor: hoveredNode === -1 ? 'default' : 'pointer' }}
        onScroll={(event) => onScroll(event.currentTarget)}
        onMouseMove={(event) => setHover(hitTest(event.clientX, event.clientY))}
        onMouseLeave={() => setHover(null)}
        onClick={(event) => {
          const hit = hitTest(event.clientX, event.clientY);
          if (hit !== null && hit.box >= 0) props.onZoomNode(layout.node[hit.box]);
        }}
        onContextMenu={(event) => {
          const hit = hitTest(event.clientX, event.clientY);
          if (hit === null || hit.box < 0 || !props.onContextMenuNode) return;
          event.preventDefault();
          setHover(null);
          props.onContextMenuNode(layout.node[hit.box], event.clientX, event.clientY);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onZoomOut();
        }}
      >
        {/* Sized here, not only by the painter, so the scroll height is right before any effect reads it. */}
        <canvas className="flame-canvas" ref={canvas} style={{ width: size.width, height: size.height }} />
        <div style={{ height: spacerHeight }} aria-hidden="true" />
      </div>
      <ul className="visually-hidden" data-testid="flame-boxes" aria-label="Widest boxes">
        {widest.map((b) => (
          <li key={b} data-func-name={funcNames[tree.func[layout.node[b]]]}>
            {funcNames[tree.func[layout.node[b]]]}: {(layout.width[b] * 100).toFixed(1)}% at depth {layout.depth[b]}
          </li>
        ))}
      </ul>
      {hover !== null && hoveredNode !== -1 && (
        <FlameTooltip x={hover.x} y={hover.y} bounds={frame.current}>
          {props.tooltipFor(hoveredNode)}
        </FlameTooltip>
      )}
    </div>
  );
}

const TOOLTIP_OFFSET = 14;

/** An HTML tooltip near the pointer, flipped to the other side when it would leave the graph. */
function FlameTooltip({ x, y, bounds, children }: { x: number; y: number; bounds: HTMLElement | null; children: ReactNode }) {
  const tooltip = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: x + TOOLTIP_OFFSET, top: y + TOOLTIP_OFFSET });
  useLayoutEffect(() => {
    const element = tooltip.current;
    if (element === null || bounds === null) return;
    const width = element.offsetWidth;
    const height = element.offsetHeight;
    let left = x + TOOLTIP_OFFSET;
    let top = y + TOOLTIP_OFFSET;
    if (left + width > bounds.clientWidth) left = Math.max(0, x - TOOLTIP_OFFSET - width);
    if (top + height > bounds.clientHeight) top = Math.max(0, y - TOOLTIP_OFFSET - height);
    setPosition((old) => (old.left === left && old.top === top ? old : { left, top }));
  }, [x, y, bounds, children]);
  return (
    <div className="flame-tooltip" ref={tooltip} role="tooltip" style={position}>
      {children}
    </div>
  );
}
