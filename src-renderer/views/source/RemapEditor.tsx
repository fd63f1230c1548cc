/**
 * The path remaps of a profile's sources: rows of "old prefix → new folder"
 * the user edits. The host checks each new folder exists and remembers the
 * list per build-id (else binary path; not at all when the profile names no
 * binary, which the note says); files it could not find are read again on save.
 */

import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { SourceRemap } from '../../../src-shared/contract';
import { useServices } from '../app-context';

/** A first guess for a new row: the missing file's folder; `.` (every relative path) for a bare file name, as DHAT and perf script give. */
function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  if (cut === -1) return '.';
  return cut > 0 ? path.slice(0, cut) : path;
}

export function RemapEditor({ profileId, missingPath }: { profileId: string; missingPath: string }) {
  const { source } = useServices();
  const fetched = useStore(source.store, (state) => state.remaps.get(profileId));
  const [rows, setRows] = useState<SourceRemap[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => source.wantRemaps(profileId), [source, profileId]);
  const saved = fetched?.state === 'done' ? fetched.value : null;
  const shown = rows ?? saved?.remaps ?? [];

  const edit = (index: number, field: keyof SourceRemap, value: string) =>
    setRows(shown.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const filled = shown.filter((row) => row.from.trim() !== '' || row.to.trim() !== '');
      // No old prefix: the folder is for bare file names (`.`, every relative path), not a raw "too small" error.
      await source.setRemaps(profileId, filled.map((row) => (row.from.trim() === '' ? { ...row, from: '.' } : row)));
      setRows(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="remap-editor"
      data-testid="remap-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="remap-editor__title">Path remaps (old prefix → folder where the sources are now)</div>
      {shown.map((row, index) => (
        <div className="remap-editor__row" key={index}>
          <input aria-label="Old prefix" data-testid="remap-from" value={row.from} placeholder="/old/build/folder, or . for bare names" onChange={(e) => edit(index, 'from', e.target.value)} />
          <span aria-hidden="true">→</span>
          <input aria-label="New folder" data-testid="remap-to" value={row.to} placeholder="/where/it/is/now" onChange={(e) => edit(index, 'to', e.target.value)} />
          <button type="button" aria-label="Remove this remap" onClick={() => setRows(shown.filter((_, i) => i !== index))}>
            ×
          </button>
        </div>
      ))}
      <div className="remap-editor__actions">
        <button type="button" data-testid="remap-add" onClick={() => setRows([...shown, { from: folderOf(missingPath), to: '' }])}>
          Add remap
        </button>
        <button type="submit" data-testid="remap-save" disabled={saving || rows === null}>
          Save remaps
        </button>
        {saved !== null && saved.rememberedFor.length > 0 && (
          <span className="remap-editor__note" title={saved.rememberedFor.join('\n')} data-testid="remap-remembered">
            remembered for {saved.rememberedFor.length === 1 ? 'this build' : `these ${saved.rememberedFor.length} binaries`} (by build-id, else binary path)
          </span>
        )}
        {saved !== null && saved.rememberedFor.length === 0 && (
          <span className="remap-editor__note" data-testid="remap-remembered">
            not remembered: this profile names no binary to remember them by, so they last while it is open
          </span>
        )}
      </div>
      {error !== null && (
        <div className="source-bar source-bar--error" role="alert" data-testid="remap-error">
          {error}
        </div>
      )}
    </form>
  );
}
