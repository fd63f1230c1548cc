/**
 * The source pane under the analysis view: tabs for the open source files
 * and one for the assembly of the selected function. Selecting a function
 * anywhere (flame graph, call tree, table, heaviest stack) opens its file
 * scrolled to its hottest line and points the assembly at it. Costs come
 * from the analysis worker over the current selection (range, threads,
 * transforms, memory metric); texts and disassembly from the host.
 */

import { useEffect, useMemo } from 'react';
import { stringAt, type Profile } from '../../../src-shared/profile/model';
import { closeFile, otherFilesOf, showFile, showFunction, type SourceSelection } from '../../store/source-state';
import { useAppState, useServices } from '../app-context';
import { useAnalysis } from '../use-analysis';
import { AssemblyView } from './AssemblyView';
import { SourceFileView } from './SourceFileView';
import '../../styles/source.css';

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** The function the pane shows when it opens with nothing selected: the hottest by self that has a file. */
function hottestWithFile(profile: Profile, self: Float64Array | undefined): number {
  if (self === undefined) return -1;
  let best = -1;
  for (let f = 0; f < profile.funcs.length; f++) if (profile.funcs.file[f] >= 0 && (best === -1 || self[f] > self[best])) best = f;
  return best;
}

export function SourcePane({ profile }: { profile: Profile }) {
  const { store } = useServices();
  const source = useAppState((state) => state.selection.source);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const hostProfileId = useAppState((state) => state.tabs.find((tab) => tab.id === state.activeTabId)?.hostProfileId ?? null);
  const { result } = useAnalysis();
  const change = (next: SourceSelection) => store.getState().sourceChanged(next);
  const haveResult = result !== null;

  // Follow the selection: each newly selected function opens its file at its hottest line.
  useEffect(() => {
    if (!source.open || !haveResult) return;
    const latest = store.getState().selection.source;
    const analysis = result;
    const func = selectedFunc >= 0 ? selectedFunc : latest.files.length === 0 ? hottestWithFile(profile, analysis?.funcCosts.self) : -1;
    if (func < 0) return;
    change(showFunction(profile, latest, func, analysis?.funcLines[func] ?? -1));
    // Only a new selection (or opening the pane) moves the pane; new results do not.
  }, [selectedFunc, source.open, haveResult, profile]);

  // Lines the selected function runs in other files (no inlined frame says so): its own file does not show them.
  // A hook, so before the return below: hooks run in the same order on every render.
  const otherFiles = useMemo(() => otherFilesOf(profile, selectedFunc), [profile, selectedFunc]);

  if (!source.open) return null;
  const shown = source.shown;
  const hasLines = profile.funcs.file.some((file) => file >= 0) || profile.frames.file.some((file) => file >= 0);
  const showsOwnFile = shown.kind === 'file' && selectedFunc >= 0 && shown.file === profile.funcs.file[selectedFunc];
  const asmName = source.asmFunc >= 0 ? stringAt(profile, profile.funcs.name[source.asmFunc], '[unknown]') : null;
  return (
    <section className="pane source-pane" aria-label="Source" data-testid="source-pane">
      <div className="source-tabs" role="tablist">
        {source.files.map((file) => {
          const path = stringAt(profile, file);
          const active = shown.kind === 'file' && shown.file === file;
          return (
            <div key={file} className={`source-tab${active ? ' source-tab--active' : ''}`} title={path}>
              <button
                type="button"
                role="tab"
                aria-selected={active}
                className="source-tab__name"
                data-testid="source-tab"
                data-path={path}
                onClick={() => change({ ...store.getState().selection.source, shown: { kind: 'file', file } })}
              >
                {baseName(path)}
              </button>
              <button type="button" className="source-tab__close" aria-label={`Close ${baseName(path)}`} onClick={() => change(closeFile(store.getState().selection.source, file))}>
                ×
              </button>
            </div>
          );
        })}
        <div className={`source-tab${shown.kind === 'asm' ? ' source-tab--active' : ''}`}>
          <button
            type="button"
            role="tab"
            aria-selected={shown.kind === 'asm'}
            className="source-tab__name"
            data-testid="assembly-tab"
            onClick={() => change({ ...store.getState().selection.source, shown: { kind: 'asm' } })}
          >
            Assembly{asmName !== null ? `: ${asmName}` : ''}
          </button>
        </div>
        <div className="source-tabs__spacer" />
        <button type="button" className="source-pane__close" aria-label="Hide the source pane" onClick={() => change({ ...store.getState().selection.source, open: false })}>
          ×
        </button>
      </div>
      <div className="source-pane__body">
        {!hasLines && source.asmFunc < 0 ? (
          <div className="source-bar">This profile names no source files (its format records no line information), so there are no per-line costs. Select a function for its assembly.</div>
        ) : hostProfileId === null ? (
          <div className="source-bar">This profile did not come from the host, so its sources cannot be read.</div>
        ) : shown.kind === 'file' ? (
          <>
            {showsOwnFile && otherFiles.length > 0 && (
              <div className="source-bar source-bar--others" data-testid="source-other-files">
                {stringAt(profile, profile.funcs.name[selectedFunc], '[unknown]')} also runs lines of
                {otherFiles.slice(0, 5).map((file) => (
                  <button key={file} type="button" className="source-bar__file" title={stringAt(profile, file)} onClick={() => change(showFile(store.getState().selection.source, file))}>
                    {baseName(stringAt(profile, file))}
                  </button>
                ))}
                {otherFiles.length > 5 && <span>and {otherFiles.length - 5} more</span>}
              </div>
            )}
            <SourceFileView profile={profile} profileId={hostProfileId} file={shown.file} reveal={source.reveal} />
          </>
        ) : (
          <AssemblyView profile={profile} profileId={hostProfileId} func={source.asmFunc} />
        )}
      </div>
    </section>
  );
}

/** The analysis bar's toggle for the pane. */
export function SourcePaneToggle() {
  const { store } = useServices();
  const open = useAppState((state) => state.selection.source.open);
  return (
    <button
      type="button"
      className={`source-toggle${open ? ' source-toggle--on' : ''}`}
      aria-pressed={open}
      data-testid="source-toggle"
      title="Show the source and assembly of the selected function"
      onClick={() => store.getState().sourceChanged({ ...store.getState().selection.source, open: !open })}
    >
      Source
    </button>
  );
}
