/**
 * The usage lines of `heatline record`, apart from the command itself: the
 * CLI prints them with its own usage, and loads the recorder (node-pty,
 * process probing, the request schemas) only when a recording is asked for.
 */

import { DEFAULT_COUNTER_EVENTS, instrumentIds } from '../../src-shared/record/choices';

export const RECORD_USAGE = `  heatline record [--instrument I] [-o FILE] [options] -- CMD [ARGS...]
  heatline record --pid N [--duration S] [--instrument I] [-o FILE] [options]
      I: ${instrumentIds.join(' | ')} (default cpu)
      --duration S          stop after S seconds (default: when CMD exits, or Ctrl+C)
      --frequency HZ        cpu: samples per second (default 999)
      --call-graph fp|dwarf|lbr   cpu, offcpu (default fp)
      --events E1,E2        counters: perf events (default ${DEFAULT_COUNTER_EVENTS.join(',')})
      --repeat N            counters: run CMD N times, report the variance
      --timeline            syscalls: every call with its time, not a summary
      --sudo | --pkexec     run the profiler elevated (asks for your password)`;
