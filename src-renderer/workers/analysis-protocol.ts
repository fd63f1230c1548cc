/**
 * Messages between the window and the analysis worker. The profile's typed
 * arrays go to the worker once per open profile (a structured copy: the
 * window keeps drawing from its own); after that only small selections go
 * in, and results come back with their buffers transferred, not copied.
 */

import type { AnalysisRequest, AnalysisResult } from '../../src-shared/analysis/analyzer';
import type { Profile } from '../../src-shared/profile/model';

export type ToWorker =
  | { type: 'open'; profileId: number; profile: Profile }
  | { type: 'close'; profileId: number }
  | { type: 'analyze'; profileId: number; requestId: number; request: AnalysisRequest };

export type FromWorker =
  | { type: 'result'; profileId: number; requestId: number; result: AnalysisResult; millis: number }
  | { type: 'error'; profileId: number; requestId: number; message: string }
  /** The hottest lines a result left pending (AnalyzeOptions.deferFuncLines), sent right after it. */
  | { type: 'funcLines'; profileId: number; funcLines: Int32Array };
