/**
 * The Monaco glue, bundled as its own entry (out/renderer/source-editor.js +
 * .css, see scripts/build.mjs) and loaded only when the source pane first
 * shows a file, so the window's first paint does not carry Monaco.
 *
 * It only maps line costs (source-costs.ts, formatted by the caller) to
 * Monaco: the line-number gutter shows "self self%  total total%  line",
 * lines with cost get a heat class (source.css) and an overview-ruler mark,
 * and a hover lists the functions that put cost on the line. Read-only; the
 * editor's worker is our own bundle (editor-worker.js), so nothing is
 * fetched from elsewhere and the page's CSP (script-src 'self', no eval)
 * holds.
 */

import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import './monaco-editor.css';
import 'monaco-editor/languages/definitions/cpp/register.js';
import 'monaco-editor/languages/definitions/rust/register.js';
import 'monaco-editor/languages/definitions/go/register.js';
import 'monaco-editor/languages/definitions/python/register.js';
import 'monaco-editor/languages/definitions/java/register.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import * as monaco from 'monaco-editor/editor/editor.api.js';

/** One costed line, already formatted by the caller (which knows the unit). */
export interface EditorLineCost {
  line: number;
  /** e.g. "1 234  41.2%" and "2 345  78.0%"; the gutter shows both. */
  selfText: string;
  totalText: string;
  /** 0..1 of the file's hottest self (heat class and ruler). */
  heat: number;
  /** Markdown for the hover: the functions on the line. */
  hover: string;
}

export interface SourceEditorHandle {
  setText(text: string, path: string): void;
  setCosts(costs: readonly EditorLineCost[], gutterWidth: number): void;
  reveal(line: number): void;
  setTheme(dark: boolean): void;
  dispose(): void;
}

let environmentSet = false;

function setEnvironment(workerUrl: string): void {
  if (environmentSet) return;
  environmentSet = true;
  (self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
    getWorker: () => new Worker(workerUrl, { type: 'module', name: 'heatline-editor' }),
  };
}

function languageOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const extension = dot === -1 ? '' : path.slice(dot).toLowerCase();
  for (const language of monaco.languages.getLanguages()) if (language.extensions?.includes(extension)) return language.id;
  return 'plaintext';
}

const HEAT_STEPS = 8;

export function createSourceEditor(container: HTMLElement, options: { workerUrl: string; dark: boolean }): SourceEditorHandle {
  setEnvironment(options.workerUrl);
  let labels = new Map<number, string>();
  let gutterChars = 6;
  const editor = monaco.editor.create(container, {
    readOnly: true,
    domReadOnly: true,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    renderLineHighlight: 'line',
    theme: options.dark ? 'vs-dark' : 'vs',
    fontSize: 12,
    lineNumbers: (line) => labels.get(line) ?? String(line),
    lineNumbersMinChars: gutterChars,
    overviewRulerLanes: 1,
    glyphMargin: false,
    folding: false,
    contextmenu: false,
    hover: { enabled: 'on', delay: 250 },
    // A shared model per path would leak across tabs; the pane owns one model.
    model: null,
  });
  let model: monaco.editor.ITextModel | null = null;
  const decorations = editor.createDecorationsCollection();

  return {
    setText(text, path) {
      model?.dispose();
      model = monaco.editor.createModel(text, languageOf(path));
      editor.setModel(model);
      // The previous file's costs must not show against this text until its own arrive.
      labels = new Map();
      decorations.clear();
      editor.updateOptions({ lineNumbers: (line) => labels.get(line) ?? String(line) });
    },
    setCosts(costs, gutterWidth) {
      // No-break spaces: the gutter is HTML, which would fold the columns' padding into one space.
      labels = new Map(costs.map((c) => [c.line, `${c.selfText}  ${c.totalText}  ${c.line}`.replace(/ /g, '\u00a0')]));
      if (gutterWidth !== gutterChars) {
        gutterChars = gutterWidth;
        editor.updateOptions({ lineNumbersMinChars: gutterChars });
      } else {
        // The labels function is the same object: ask Monaco to draw the gutter again.
        editor.updateOptions({ lineNumbers: (line) => labels.get(line) ?? String(line) });
      }
      decorations.set(
        costs.map((c) => {
          const step = Math.min(HEAT_STEPS - 1, Math.floor(c.heat * HEAT_STEPS));
          return {
            range: new monaco.Range(c.line, 1, c.line, 1),
            options: {
              isWholeLine: true,
              className: `heat-line heat-line--${step}`,
              lineNumberClassName: `heat-gutter heat-gutter--${step}`,
              hoverMessage: { value: c.hover },
              overviewRuler: c.heat >= 0.05 ? { color: heatRulerColor(c.heat), position: monaco.editor.OverviewRulerLane.Full } : undefined,
            },
          };
        }),
      );
    },
    reveal(line) {
      editor.revealLineInCenter(line, monaco.editor.ScrollType.Immediate);
      editor.setSelection(new monaco.Range(line, 1, line, 1));
    },
    setTheme(dark) {
      monaco.editor.setTheme(dark ? 'vs-dark' : 'vs');
    },
    dispose() {
      editor.dispose();
      model?.dispose();
    },
  };
}

/** Red with the line's heat as opacity: the ruler shows where the time goes at a glance. */
function heatRulerColor(heat: number): string {
  return `rgba(220, 50, 30, ${(0.35 + 0.65 * heat).toFixed(2)})`;
}
