/**
 * What the user has chosen in the analysis window of one open profile: the
 * time range, threads and transforms that filter every view, what is
 * selected and expanded, which view shows, and the pane sizes. One per tab,
 * so switching tabs brings each profile back as it was left.
 *
 * Call nodes are named by their path of functions from the root, not by a
 * node index, so a selection survives a recomputed tree (other range,
 * another transform).
 */

import type { AllocationMetric, SiteColumn, SiteGrouping } from '../../src-shared/analysis/allocation-sites';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import type { InlinedFunctions } from '../../src-shared/analysis/function-costs';
import type { Transform } from '../../src-shared/analysis/transforms';
import type { IndexIntoFuncTable, IndexIntoThreadTable } from '../../src-shared/profile/model';

export type MainView = 'flame' | 'stack-chart' | 'call-tree' | 'sandwich' | 'speedscope' | 'sites';
export type FlameColoring = 'category' | 'heat';
export type FlameOrientationChoice = 'flame' | 'icicle';

export interface PaneSizes {
  /** Height of the timeline, CSS pixels. */
  timeline: number;
  /** Width of the side column (functions, heaviest stack). */
  side: number;
  /** Height of the heaviest-stack panel inside the side column. */
  detail: number;
}

export interface ViewState {
  /** The selected time range; null: the whole profile. Filters every view. */
  range: TimeRange | null;
  /** The timeline's visible window (zoom); null: the whole profile. Filters nothing. */
  viewport: TimeRange | null;
  /** Threads the views analyse; null: every visible thread. */
  threads: readonly IndexIntoThreadTable[] | null;
  hiddenThreads: readonly IndexIntoThreadTable[];
  collapsedProcesses: readonly number[];
  transforms: readonly Transform[];
  /**
   * Inlined functions shown as frames of their own (the default, as perf report --inline shows call paths)
   * or merged into their callers (as perf report counts self cost per symbol; `heatline report`'s default).
   */
  inlined: InlinedFunctions;
  /** The selected call node (top-down paths); [] when a function is selected without a place. */
  selectedPath: readonly IndexIntoFuncTable[];
  /** The selected node of the inverted tree (paths from the leaf). */
  selectedInvertedPath: readonly IndexIntoFuncTable[];
  /** Open rows of the call tree, as path keys (see pathKey), per direction. */
  expanded: ReadonlySet<string>;
  expandedInverted: ReadonlySet<string>;
  inverted: boolean;
  search: string;
  mainView: MainView;
  flameOrientation: FlameOrientationChoice;
  flameColoring: FlameColoring;
  /** The thread of the stack chart; -1: the busiest selected one. */
  stackChartThread: IndexIntoThreadTable;
  /** The stack chart's own zoom within the range; null: all of it. */
  stackChartViewport: TimeRange | null;
  panes: PaneSizes;
  /** Memory profiles: the site column the flame graph, call tree and function table weigh stacks by. */
  memoryMetric: AllocationMetric;
  /** The Sites table's grouping and sort. */
  sitesGroupBy: SiteGrouping;
  sitesSort: { column: SiteColumn; descending: boolean };
}

export const defaultPanes: PaneSizes = { timeline: 190, side: 420, detail: 210 };

export const defaultView: ViewState = {
  range: null,
  viewport: null,
  threads: null,
  hiddenThreads: [],
  collapsedProcesses: [],
  transforms: [],
  inlined: 'separate',
  selectedPath: [],
  selectedInvertedPath: [],
  expanded: new Set(),
  expandedInverted: new Set(),
  inverted: false,
  search: '',
  mainView: 'flame',
  flameOrientation: 'flame',
  flameColoring: 'category',
  stackChartThread: -1,
  stackChartViewport: null,
  panes: defaultPanes,
  memoryMetric: 'totalBytes',
  sitesGroupBy: 'function',
  sitesSort: { column: 'totalBytes', descending: true },
};

/** A call path as a set key: "3,17,42". */
export function pathKey(path: readonly IndexIntoFuncTable[]): string {
  return path.join(',');
}

export function pathOfKey(key: string): IndexIntoFuncTable[] {
  return key === '' ? [] : key.split(',').map(Number);
}

/** Every prefix of `path` (not the path itself): the rows to open so that it shows. */
export function ancestorKeys(path: readonly IndexIntoFuncTable[]): string[] {
  return path.slice(0, -1).map((_, i) => pathKey(path.slice(0, i + 1)));
}
