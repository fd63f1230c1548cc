/**
 * The source pane's part of a tab's selection (kept in app-store's
 * Selection, so each tab remembers its own): whether the pane shows, its
 * height, the open source files (as the profile names them: string
 * indexes), which tab shows (a file or the assembly), and the function whose
 * assembly is wanted. `reveal` asks the shown file to scroll to a line; its
 * nonce makes the same line ask again.
 *
 * The analysis worker computes costs only for what shows (`sourceRequestOf`).
 */

import type { AnalysisRequest } from '../../src-shared/analysis/analyzer';
import type { IndexIntoFuncTable, IndexIntoStringTable, Profile } from '../../src-shared/profile/model';

export type SourceTab = { kind: 'file'; file: IndexIntoStringTable } | { kind: 'asm' };

export interface SourceSelection {
  open: boolean;
  /** Height of the pane, CSS pixels. */
  height: number;
  files: readonly IndexIntoStringTable[];
  shown: SourceTab;
  /** The function whose instructions the assembly tab shows; -1 for none. */
  asmFunc: IndexIntoFuncTable;
  reveal: { file: IndexIntoStringTable; line: number; nonce: number } | null;
}

export const defaultSourceSelection: SourceSelection = {
  open: false,
  height: 300,
  files: [],
  shown: { kind: 'asm' },
  asmFunc: -1,
  reveal: null,
};

/** Open files kept as tabs; the oldest closes first. */
const MAX_FILES = 12;

/** What the analysis must add for the pane: the shown file's lines, the assembly's function. */
export function sourceRequestOf(source: SourceSelection): Pick<AnalysisRequest, 'sourceFile' | 'asmFunc'> {
  if (!source.open) return {};
  if (source.shown.kind === 'file') return { sourceFile: source.shown.file };
  return source.asmFunc >= 0 ? { asmFunc: source.asmFunc } : {};
}

/**
 * The pane after `func` was selected somewhere: its file opens (or comes to
 * the front) scrolled to `line` (its hottest), and the assembly follows it.
 * A function without a file only changes the assembly.
 */
export function showFunction(profile: Profile, source: SourceSelection, func: IndexIntoFuncTable, line: number): SourceSelection {
  const file = func >= 0 ? profile.funcs.file[func] : -1;
  const asmFunc = func >= 0 && profile.funcs.library[func] >= 0 ? func : source.asmFunc;
  if (file < 0) return { ...source, asmFunc, shown: source.shown.kind === 'asm' || source.files.length === 0 ? { kind: 'asm' } : source.shown };
  const files = source.files.includes(file) ? source.files : [...source.files, file].slice(-MAX_FILES);
  const shown: SourceTab = source.shown.kind === 'asm' && source.files.length > 0 ? source.shown : { kind: 'file', file };
  return {
    ...source,
    files,
    shown,
    asmFunc,
    reveal: { file, line: line > 0 ? line : profile.funcs.startLine[func], nonce: (source.reveal?.nonce ?? 0) + 1 },
  };
}

/** Shows `file` in its tab (opened if need be); a file just shown scrolls to its hottest line. */
export function showFile(source: SourceSelection, file: IndexIntoStringTable): SourceSelection {
  const files = source.files.includes(file) ? source.files : [...source.files, file].slice(-MAX_FILES);
  return { ...source, files, shown: { kind: 'file', file } };
}

/**
 * The other files `func` runs lines of without an inlined frame of their
 * own (frames.file: an #include in its body, a #line directive, Rust's MIR
 * inlining), most frames first: the source pane points to them, since the
 * function's own file does not show those lines.
 */
export function otherFilesOf(profile: Profile, func: IndexIntoFuncTable): IndexIntoStringTable[] {
  if (func < 0) return [];
  const { frames } = profile;
  const count = new Map<IndexIntoStringTable, number>();
  for (let frame = 0; frame < frames.length; frame++) {
    if (frames.func[frame] !== func || frames.file[frame] < 0 || frames.line[frame] < 0) continue;
    count.set(frames.file[frame], (count.get(frames.file[frame]) ?? 0) + 1);
  }
  return [...count].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([file]) => file);
}

/** Closes a file tab; the neighbour (or the assembly) shows instead. */
export function closeFile(source: SourceSelection, file: IndexIntoStringTable): SourceSelection {
  const index = source.files.indexOf(file);
  if (index === -1) return source;
  const files = source.files.filter((f) => f !== file);
  const wasShown = source.shown.kind === 'file' && source.shown.file === file;
  const next = files[Math.min(index, files.length - 1)];
  const shown: SourceTab = !wasShown ? source.shown : next === undefined ? { kind: 'asm' } : { kind: 'file', file: next };
  return { ...source, files, shown };
}
