/**
 * "Open in speedscope": the speedscope app shipped in the speedscope
 * package (copied to out/renderer/speedscope/ by scripts/build.mjs), run
 * offline in a frame and given the current selection as a speedscope file.
 *
 * How the file gets in: speedscope's own CLI opens the app with
 * `#localProfilePath=…`, and the app then defines
 * `window.speedscope.loadFileFromBase64(name, base64)`. The frame is a
 * srcdoc document of our origin (the browser-mode server forbids framing
 * its pages, and a srcdoc frame is not a fetched page); we set that hash,
 * add speedscope's script (allowed by the page's script-src 'self'), wait
 * for the function and hand it the file. speedscope then also asks for a
 * local script by that path; the policy refuses it, which is harmless.
 */

import { useEffect, useMemo, useRef, useState } from 'react';
import speedscopeIndex from 'speedscope/dist/release/index.html' with { type: 'text' };
import { selectionToSpeedscope } from '../../src-shared/export/speedscope-selection';
import type { Profile } from '../../src-shared/profile/model';
import { exportFileName } from '../actions/profile-actions';
import { analysedThreads } from '../store/analysis-service';
import { useAppState, useViewBesidesZoom } from './app-context';

/** Where the build puts speedscope's release files, relative to the page. */
const SPEEDSCOPE_DIR = 'speedscope/';
const LOAD_TIMEOUT_MS = 10_000;

/** The app's script and stylesheet names, hashed by speedscope's build, read from its index.html. */
export function speedscopeAssets(indexHtml: string): { script: string; stylesheet: string } | null {
  const script = /<script[^>]*\bsrc="([^"]+\.js)"/.exec(indexHtml)?.[1];
  const stylesheet = /<link[^>]*rel="stylesheet"[^>]*href="([^"]+\.css)"/.exec(indexHtml)?.[1];
  return script && stylesheet ? { script, stylesheet } : null;
}

interface SpeedscopeWindow extends Window {
  speedscope?: { loadFileFromBase64(name: string, base64: string): void };
}

function base64OfText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export function SpeedscopeView({ profile }: { profile: Profile }) {
  const view = useViewBesidesZoom();
  const name = useAppState((state) => state.profileName);
  const frame = useRef<HTMLIFrameElement>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | string>('loading');
  const assets = speedscopeAssets(speedscopeIndex);

  // Fixed while the view is open: a new selection needs the view opened again (speedscope has its own zoom and state).
  const [selection] = useState(() => ({ range: view.range, threads: analysedThreads(profile, view), transforms: view.transforms, inlined: view.inlined }));
  const fileText = useMemo(() => JSON.stringify(selectionToSpeedscope(profile, selection)), [profile, selection]);

  useEffect(() => {
    const element = frame.current;
    if (element === null || assets === null) return;
    let cancelled = false;
    let timer = 0;
    const start = () => {
      const win = element.contentWindow as SpeedscopeWindow | null;
      const doc = element.contentDocument;
      if (win === null || doc === null) return setStatus('the speedscope frame did not open');
      win.location.hash = `localProfilePath=${encodeURIComponent(name)}`;
      // speedscope compiles WebAssembly for some imports, which the page's script-src 'self' forbids; our
      // files never need it (perf already demangles). Say so once instead of an uncaught rejection.
      win.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
        if (!String(event.reason).includes('WebAssembly')) return;
        event.preventDefault();
        console.warn('speedscope: WebAssembly is off under this page\'s content security policy; nothing Heatline exports needs it');
      });
      const script = doc.createElement('script');
      script.src = SPEEDSCOPE_DIR + assets.script;
      script.onerror = () => setStatus('speedscope is not in this build (out/renderer/speedscope/ is missing)');
      doc.body.appendChild(script);
      const began = performance.now();
      const poll = () => {
        if (cancelled) return;
        const api = win.speedscope;
        if (api !== undefined) {
          api.loadFileFromBase64(exportFileName(name, 'speedscope'), base64OfText(fileText));
          setStatus('ready');
        } else if (performance.now() - began > LOAD_TIMEOUT_MS) {
          setStatus('speedscope did not start');
        } else {
          timer = window.setTimeout(poll, 50);
        }
      };
      poll();
    };
    element.addEventListener('load', start, { once: true });
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      element.removeEventListener('load', start);
    };
  }, [assets, fileText, name]);

  if (assets === null) return <p className="pane__empty">This build has no speedscope app.</p>;
  const srcdoc =
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<link rel="stylesheet" href="${SPEEDSCOPE_DIR}${assets.stylesheet}">` +
    '</head><body></body></html>';
  return (
    <div className="speedscope" data-testid="speedscope" data-status={status}>
      {status !== 'ready' && <div className="pane__title">{status === 'loading' ? 'Opening speedscope…' : status}</div>}
      <iframe ref={frame} className="speedscope__frame" title="speedscope" srcDoc={srcdoc} />
    </div>
  );
}
