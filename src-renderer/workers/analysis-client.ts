/**
 * The window's side of the analysis: sends each open profile to the worker
 * once, then selections, and hands results back. At most one request per
 * profile is in flight; while it runs, newer selections replace each other
 * and only the latest is sent next, so a range drag on a million samples
 * never builds a queue.
 *
 * When no worker can start (a build without the worker bundle, or a page
 * whose policy forbids workers) the same Analyzer runs in the window, one
 * macrotask later, with the same latest-only rule: slower for big profiles
 * but never broken.
 */

import { Analyzer, type AnalysisRequest, type AnalysisResult } from '../../src-shared/analysis/analyzer';
import type { Profile } from '../../src-shared/profile/model';
import type { FromWorker, ToWorker } from './analysis-protocol';

export type ResultListener = (result: AnalysisResult, request: AnalysisRequest, millis: number) => void;
export type ErrorListener = (message: string) => void;
/** Gets a profile's hottest lines when a result left them pending (AnalysisResult.funcLinesPending). */
export type FuncLinesListener = (funcLines: Int32Array) => void;

export interface AnalysisClient {
  open(profileId: number, profile: Profile, onFuncLines?: FuncLinesListener): void;
  close(profileId: number): void;
  /** Asks for a result; `onResult` gets it (or a newer one's, if replaced before it ran). */
  request(profileId: number, request: AnalysisRequest, onResult: ResultListener, onError: ErrorListener): void;
  /** 'worker' or 'window': where the analysis runs. */
  mode(): 'worker' | 'window';
}

interface Pending {
  request: AnalysisRequest;
  onResult: ResultListener;
  onError: ErrorListener;
}

export function createAnalysisClient(workerUrl: URL | null): AnalysisClient {
  const profiles = new Map<number, Profile>();
  const inFlight = new Map<number, Pending & { requestId: number }>();
  const waiting = new Map<number, Pending>();
  const analyzers = new Map<number, Analyzer>();
  const funcLinesListeners = new Map<number, FuncLinesListener>();
  let worker: Worker | null = null;
  let nextRequestId = 1;

  const post = (message: ToWorker) => worker?.postMessage(message);

  const finish = (profileId: number) => {
    inFlight.delete(profileId);
    const next = waiting.get(profileId);
    if (next !== undefined) {
      waiting.delete(profileId);
      send(profileId, next);
    }
  };

  const runInWindow = (profileId: number, job: Pending & { requestId: number }) => {
    setTimeout(() => {
      if (inFlight.get(profileId) !== job) return;
      const profile = profiles.get(profileId);
      if (profile === undefined) return finish(profileId);
      let analyzer = analyzers.get(profileId);
      if (analyzer === undefined) analyzers.set(profileId, (analyzer = new Analyzer(profile)));
      try {
        const began = performance.now();
        const result = analyzer.analyze(job.request);
        job.onResult(result, job.request, performance.now() - began);
      } catch (error) {
        job.onError(error instanceof Error ? error.message : String(error));
      }
      finish(profileId);
    }, 0);
  };

  const send = (profileId: number, pending: Pending) => {
    const job = { ...pending, requestId: nextRequestId++ };
    inFlight.set(profileId, job);
    if (worker === null) runInWindow(profileId, job);
    else post({ type: 'analyze', profileId, requestId: job.requestId, request: job.request });
  };

  /** The worker failed to start or died: finish everything in the window from now on. */
  const fallBack = () => {
    worker?.terminate();
    worker = null;
    for (const [profileId, job] of inFlight) runInWindow(profileId, job);
  };

  if (workerUrl !== null && typeof Worker !== 'undefined') {
    try {
      worker = new Worker(workerUrl, { type: 'module', name: 'heatline-analysis' });
      worker.onerror = (event) => {
        event.preventDefault();
        fallBack();
      };
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.type === 'funcLines') {
          funcLinesListeners.get(message.profileId)?.(message.funcLines);
          return;
        }
        const job = inFlight.get(message.profileId);
        if (job === undefined || job.requestId !== message.requestId) return;
        if (message.type === 'result') job.onResult(message.result, job.request, message.millis);
        else job.onError(message.message);
        finish(message.profileId);
      };
    } catch {
      worker = null;
    }
  }

  return {
    open(profileId, profile, onFuncLines) {
      profiles.set(profileId, profile);
      if (onFuncLines !== undefined) funcLinesListeners.set(profileId, onFuncLines);
      post({ type: 'open', profileId, profile });
    },
    close(profileId) {
      profiles.delete(profileId);
      analyzers.delete(profileId);
      funcLinesListeners.delete(profileId);
      inFlight.delete(profileId);
      waiting.delete(profileId);
      post({ type: 'close', profileId });
    },
    request(profileId, request, onResult, onError) {
      if (!profiles.has(profileId)) return;
      if (inFlight.has(profileId)) waiting.set(profileId, { request, onResult, onError });
      else send(profileId, { request, onResult, onError });
    },
    mode: () => (worker === null ? 'window' : 'worker'),
  };
}
