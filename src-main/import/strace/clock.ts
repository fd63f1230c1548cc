/**
 * A strace line's time as nanoseconds on one timeline for the whole file.
 *
 * - -tt (HH:MM:SS.micro) has no date: a time far below the previous one is the next day.
 * - -ttt is seconds since the epoch, as is.
 * - -r is seconds since the previous line: summed, it is the time since the
 *   first line. strace -r starts at 0.000000 (also when attaching with -p),
 *   and no line's gap is days long, so a file whose first bare-seconds time is
 *   under RELATIVE_LIMIT is taken for -r. (A -ttt trace from a clock that was
 *   within 11 days of 1970 would be misread as -r.)
 */

import { ImportError } from '../../../src-shared/errors';
import type { StraceLine } from './lines';

const DAY = 86_400e9;
const RELATIVE_LIMIT = 1e6 * 1e9;

export type ClockKind = 'clock' | 'epoch' | 'relative';

export class TraceClock {
  kind: ClockKind | null = null;
  private last = NaN;
  private dayOffset = 0;
  private sum = 0;

  /** The time of `line` (the file's `lineNumber`) on the file's timeline. */
  timeOf(line: StraceLine, lineNumber: number): number {
    const kind: ClockKind = line.clock === 'clock' ? 'clock' : line.time < RELATIVE_LIMIT && (this.kind ?? 'relative') === 'relative' ? 'relative' : 'epoch';
    this.kind ??= kind;
    if (kind !== this.kind) {
      throw new ImportError(`line ${lineNumber}: its time (${describe(kind)}) is not of the form the file started with (${describe(this.kind)})`);
    }
    switch (kind) {
      case 'clock': {
        if (line.time + this.dayOffset < this.last - DAY / 2) this.dayOffset += DAY;
        this.last = line.time + this.dayOffset;
        return this.last;
      }
      case 'epoch':
        return line.time;
      case 'relative':
        this.sum += line.time;
        return this.sum;
    }
  }
}

function describe(kind: ClockKind): string {
  return kind === 'clock' ? '-tt clock time' : kind === 'epoch' ? '-ttt seconds since 1970' : '-r seconds since the previous line';
}
