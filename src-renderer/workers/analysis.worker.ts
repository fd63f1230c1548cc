/**
 * The analysis worker: keeps one Analyzer per open profile and answers
 * selections with call trees, costs and layouts, off the UI thread.
 * Bundled as its own entry (out/renderer/analysis-worker.js).
 */

import { Analyzer, resultBuffers } from '../../src-shared/analysis/analyzer';
import type { FromWorker, ToWorker } from './analysis-protocol';

// The renderer's tsconfig has the DOM's types, not a worker's: name the two members used here.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer: Transferable[]): void;
};

const analyzers = new Map<number, Analyzer>();

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'open':
      analyzers.set(message.profileId, new Analyzer(message.profile));
      return;
    case 'close':
      analyzers.delete(message.profileId);
      return;
    case 'analyze': {
      const { profileId, requestId } = message;
      const analyzer = analyzers.get(profileId);
      if (analyzer === undefined) {
        scope.postMessage({ type: 'error', profileId, requestId, message: `no profile ${profileId} in the worker` }, []);
        return;
      }
      try {
        const began = performance.now();
        // The first answer leaves the hottest lines for later: the flame graph draws without them.
        const result = analyzer.analyze(message.request, { deferFuncLines: true });
        const millis = performance.now() - began;
        scope.postMessage({ type: 'result', profileId, requestId, result, millis }, resultBuffers(result));
        if (result.funcLinesPending) {
          const funcLines = analyzer.funcLines();
          scope.postMessage({ type: 'funcLines', profileId, funcLines }, [funcLines.buffer]);
        }
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        scope.postMessage({ type: 'error', profileId, requestId, message: text }, []);
      }
    }
  }
};
