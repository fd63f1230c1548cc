/**
 * One source file in the pane: its text from the host in Monaco, with the
 * costs of its lines over the current selection. When the host cannot find
 * the file: a bar that says where it looked, a Locate… button (a native
 * dialog; browser mode has none) and the remap editor.
 */

import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { SourceReadResult } from '../../../src-shared/contract';
import { stringAt, type IndexIntoStringTable, type Profile } from '../../../src-shared/profile/model';
import { textKey } from '../../store/source-service';
import type { SourceSelection } from '../../store/source-state';
import { useAppState, useServices } from '../app-context';
import { useAnalysis } from '../use-analysis';
import { useColorScheme } from '../use-color-scheme';
import { useDisplayUnit } from '../use-display-unit';
import { lineLabels } from './line-labels';
import { editorWorkerUrl, loadSourceEditor } from './load-editor';
import type { SourceEditorHandle } from './monaco-editor';
import { RemapEditor } from './RemapEditor';

interface Props {
  profile: Profile;
  profileId: string;
  file: IndexIntoStringTable;
  reveal: SourceSelection['reveal'];
}

export function SourceFileView({ profile, profileId, file, reveal }: Props) {
  const { source } = useServices();
  const path = stringAt(profile, file);
  const fetched = useStore(source.store, (state) => state.texts.get(textKey(profileId, path)));
  useEffect(() => source.wantText(profileId, path), [source, profileId, path]);

  if (fetched === undefined || fetched.state === 'loading') return <div className="source-bar">Reading {path}…</div>;
  if (fetched.state === 'failed') return <div className="source-bar source-bar--error">{fetched.message}</div>;
  const read = fetched.value;
  if (read.kind !== 'found') return <MissingSource profileId={profileId} read={read} />;
  return <CostedSource profile={profile} file={file} path={path} text={read.text} readFrom={read.readFrom} reveal={reveal} />;
}

function MissingSource({ profileId, read }: { profileId: string; read: Exclude<SourceReadResult, { kind: 'found' }> }) {
  const { source } = useServices();
  const nativeDialogs = useAppState((state) => state.hostInfo?.nativeDialogs ?? false);
  const [note, setNote] = useState<string | null>(null);
  const locate = async () => {
    try {
      const result = await source.locate(profileId, read.path);
      if (result.kind === 'unavailable' || result.kind === 'refused') setNote(result.message);
      else if (result.kind === 'picked' && result.read.kind !== 'found') setNote(result.read.message);
    } catch (error) {
      setNote(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <div className="source-missing" data-testid="source-missing">
      <div className="source-bar source-bar--warning" role="status">
        <span className="source-bar__text">
          {read.kind === 'refused' ? read.message : `Source not found: ${read.path}`}
          {read.kind === 'not-found' && read.tried.length > 0 && <span className="source-bar__detail"> (looked at {read.tried.join(', ')})</span>}
        </span>
        {read.kind === 'not-found' && nativeDialogs && (
          <button type="button" onClick={() => void locate()} data-testid="source-locate">
            Locate…
          </button>
        )}
      </div>
      {read.kind === 'not-found' && !nativeDialogs && (
        <p className="source-missing__hint">This window cannot show a file dialog: tell Heatline where the sources are now with a remap below.</p>
      )}
      {note !== null && <p className="source-missing__hint">{note}</p>}
      {read.kind === 'not-found' && <RemapEditor profileId={profileId} missingPath={read.path} />}
    </div>
  );
}

interface CostedSourceProps {
  profile: Profile;
  file: IndexIntoStringTable;
  path: string;
  text: string;
  readFrom: string;
  reveal: SourceSelection['reveal'];
}

function CostedSource({ profile, file, path, text, readFrom, reveal }: CostedSourceProps) {
  const container = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<SourceEditorHandle | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const scheme = useColorScheme();
  const unit = useDisplayUnit(profile);
  const { result } = useAnalysis();
  const lineCosts = result?.sourceLines?.file === file ? result.sourceLines : null;
  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const labels = useMemo(() => (lineCosts === null ? null : lineLabels(profile, lineCosts, unit, lineCount)), [profile, lineCosts, unit, lineCount]);

  // The editor is made once per view and survives file changes.
  useEffect(() => {
    let handle: SourceEditorHandle | null = null;
    let cancelled = false;
    loadSourceEditor().then(
      (module) => {
        if (cancelled || container.current === null) return;
        handle = module.createSourceEditor(container.current, { workerUrl: editorWorkerUrl(), dark: matchMedia('(prefers-color-scheme: dark)').matches });
        setEditor(handle);
      },
      (error: unknown) => setLoadError(`The source editor failed to load: ${error instanceof Error ? error.message : String(error)}`),
    );
    return () => {
      cancelled = true;
      handle?.dispose();
    };
  }, []);

  useEffect(() => editor?.setTheme(scheme === 'dark'), [editor, scheme]);
  useEffect(() => editor?.setText(text, path), [editor, text, path]);
  useEffect(() => {
    if (editor !== null && labels !== null) editor.setCosts(labels.costs, labels.gutterChars);
  }, [editor, labels, text]);

  // Scroll: to the asked line when asked, else (a file just shown) to its hottest line.
  const revealed = useRef<string>('');
  useEffect(() => {
    if (editor === null) return;
    const asked = reveal !== null && reveal.file === file && reveal.line > 0 ? reveal : null;
    const key = asked !== null ? `ask:${asked.nonce}` : `file:${file}:${text.length}`;
    if (revealed.current === key) return;
    const line = asked?.line ?? labels?.hottestLine ?? -1;
    if (line <= 0) return;
    revealed.current = key;
    editor.reveal(line);
  }, [editor, reveal, file, text, labels]);

  return (
    <div className="source-file" data-testid="source-file" data-path={path} data-read-from={readFrom} data-hottest-line={labels?.hottestLine ?? -1} data-costs={lineCosts === null ? 'computing' : 'ready'}>
      <div className="source-file__header">
        <span className="source-file__path" title={readFrom}>
          {readFrom}
        </span>
        <span className="source-file__legend">gutter: self · self% · total · total% · line</span>
      </div>
      {loadError !== null && <div className="source-bar source-bar--error">{loadError}</div>}
      <div className="source-file__editor" ref={container} data-testid="source-editor" />
    </div>
  );
}
