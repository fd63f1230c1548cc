/**
 * Chooses the main view (flame graph, stack chart, call tree, sandwich,
 * speedscope, and for memory profiles the allocation sites) and shows the
 * options of the chosen one; for memory profiles, the metric the call
 * views weigh stacks by.
 */

import type { AllocationMetric } from '../../src-shared/analysis/allocation-sites';
import type { Profile } from '../../src-shared/profile/model';
import { hasInlinedFrames } from '../store/derived';
import { hasAllocationSites, knownMetrics, memoryMetrics, metricOf } from '../store/memory-metric';
import type { MainView } from '../store/view-state';
import { useAppState, useViewBesidesZoom } from './app-context';
import { hottestPathKeys } from './call-tree-rows';
import { useAnalysis } from './use-analysis';

const views: { id: MainView; label: string; title: string }[] = [
  { id: 'flame', label: 'Flame graph', title: 'Call paths merged, hottest left (left-heavy)' },
  { id: 'stack-chart', label: 'Stack chart', title: 'Call stacks over time (time order), one thread' },
  { id: 'call-tree', label: 'Call tree', title: 'Top-down or inverted call tree with self and total costs' },
  { id: 'sandwich', label: 'Sandwich', title: 'Callers and callees of the selected function' },
  { id: 'speedscope', label: 'speedscope', title: 'The selection opened in speedscope, bundled with Heatline' },
  { id: 'sites', label: 'Sites', title: 'Allocation sites with their bytes, blocks, peak, leaks and flags' },
];

export function ViewSwitcher({ profile }: { profile: Profile }) {
  const mainView = useAppState((state) => state.view.mainView);
  const viewChanged = useAppState((state) => state.viewChanged);
  const hasTime = Number.isFinite(profile.meta.startTime);
  // Only memory profiles have allocation sites to list.
  const shown = hasAllocationSites(profile) ? views : views.filter((view) => view.id !== 'sites');
  return (
    <div className="view-switcher" role="tablist" aria-label="Views">
      {shown.map((view) => (
        <button
          key={view.id}
          type="button"
          role="tab"
          className="view-switcher__tab"
          aria-selected={mainView === view.id}
          data-testid={`view-${view.id}`}
          title={view.id === 'stack-chart' && !hasTime ? 'This profile has no timestamps' : view.title}
          disabled={view.id === 'stack-chart' && !hasTime}
          onClick={() => viewChanged({ mainView: view.id })}
        >
          {view.label}
        </button>
      ))}
    </div>
  );
}

/** Memory profiles: what the flame graph, call tree and function table weigh stacks by. */
export function MemoryMetricSelector({ profile }: { profile: Profile }) {
  const metric = useAppState((state) => metricOf(profile, state.view));
  const mainView = useAppState((state) => state.view.mainView);
  // Only what the tool measured: massif has no totals or leaks, only bytes at the peak.
  const options = memoryMetrics.filter((m) => knownMetrics(profile).includes(m.id));
  const viewChanged = useAppState((state) => state.viewChanged);
  // The stack chart follows samples in time. Beside the Sites table (every metric a column of its own) the
  // selector still weighs the function table and the source pane, and memory profiles open on that table.
  if (metric === null || mainView === 'stack-chart') return null;
  return (
    <label className="memory-metric" title="What the flame graph, call tree and function table weigh stacks by">
      Weigh by
      <select data-testid="memory-metric" value={metric} onChange={(event) => viewChanged({ memoryMetric: event.target.value as AllocationMetric })}>
        {options.map((m) => (
          <option key={m.id} value={m.id} title={m.title}>
            {m.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Inlined functions as frames of their own (the default, as perf report
 * --inline shows call paths), or merged into the function they were inlined
 * into (as perf report counts self cost per symbol, and `heatline report`
 * by default): for every call view and the function table. Only for
 * profiles that have inlined frames.
 */
export function InlinedToggle({ profile }: { profile: Profile }) {
  const inlined = useAppState((state) => state.view.inlined);
  const mainView = useAppState((state) => state.view.mainView);
  const viewChanged = useAppState((state) => state.viewChanged);
  if (!hasInlinedFrames(profile) || mainView === 'sites' || mainView === 'speedscope') return null;
  return (
    <label
      className="checkbox"
      title="Show each function the compiler inlined into another as a frame of its own, as perf report --inline and Hotspot do. Off: its cost is the function it was inlined into, as perf report counts self cost per symbol."
    >
      <input
        type="checkbox"
        checked={inlined === 'separate'}
        data-testid="show-inlined"
        onChange={(event) => viewChanged({ inlined: event.target.checked ? 'separate' : 'merged' })}
      />
      Inlined functions
    </label>
  );
}

/** The options of the shown view, right of the view tabs. */
export function ViewOptions() {
  const view = useViewBesidesZoom();
  const viewChanged = useAppState((state) => state.viewChanged);
  const rowsExpanded = useAppState((state) => state.rowsExpanded);
  const { result } = useAnalysis();
  // The flame graph and the stack chart share one colouring choice.
  const colouring = (
    <Segmented
      label="Colour"
      value={view.flameColoring}
      options={[
        ['category', 'By library'],
        ['heat', 'By self cost'],
      ]}
      onChange={(flameColoring) => viewChanged({ flameColoring })}
    />
  );
  if (view.mainView === 'flame') {
    return (
      <div className="view-options">
        <Segmented
          label="Orientation"
          value={view.flameOrientation}
          options={[
            ['flame', 'Flame'],
            ['icicle', 'Icicle'],
          ]}
          onChange={(flameOrientation) => viewChanged({ flameOrientation })}
        />
        {colouring}
      </div>
    );
  }
  if (view.mainView === 'stack-chart') {
    return (
      <div className="view-options">
        {colouring}
      </div>
    );
  }
  if (view.mainView === 'call-tree') {
    const tree = result === null ? null : view.inverted ? result.invertedTree : result.tree;
    return (
      <div className="view-options">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={view.inverted}
            data-testid="invert"
            onChange={(event) => viewChanged({ inverted: event.target.checked })}
          />
          Inverted (bottom-up)
        </label>
        <button
          type="button"
          className="button button--small"
          title="Open the hottest path below the selected row (key: *)"
          disabled={tree === null || tree.roots.length === 0}
          onClick={() => tree !== null && rowsExpanded(hottestPathKeys(tree, tree.roots[0]), true)}
        >
          Expand hottest path
        </button>
      </div>
    );
  }
  return null;
}

function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: [T, string][];
  onChange(value: T): void;
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map(([id, text]) => (
        <button key={id} type="button" role="radio" aria-checked={value === id} data-testid={`option-${id}`} onClick={() => onChange(id)}>
          {text}
        </button>
      ))}
    </div>
  );
}
