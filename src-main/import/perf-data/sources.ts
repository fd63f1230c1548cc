/**
 * Where frame names come from in a normal import, behind the small
 * interfaces symbolize.ts asks for.
 */

import { hostname, release } from 'node:os';
import type { BackgroundSymbols } from '../../symbols/background';
import { createBinaryResolver } from '../../symbols/binary-resolver';
import { createKernelResolver } from '../../symbols/kernel';
import { loadPerfMap, type PerfMap } from '../../symbols/perf-map';
import type { KernelSymbolizer, PerfSymbolSources } from './symbolize';

/** What the recording says about where it was made, for trusting this machine's kallsyms. */
export interface RecordingFacts {
  hostname?: string | null;
  osRelease?: string | null;
  /** User code already resolved in a worker while the records streamed (symbols/background.ts), or null. */
  background?: BackgroundSymbols | null;
}

/**
 * The symbol sources of a normal import: ELF/DWARF binaries
 * (symbols/binary-resolver.ts), kallsyms when the recording's kernel is the
 * running one (symbols/kernel.ts), and /tmp/perf-PID.map for JIT code
 * (symbols/perf-map.ts, as perf report reads them: on this machine).
 */
/** Without a recorded kernel build-id (pipe mode), a recording made here, on this kernel release, is trusted with this kallsyms. */
export function recordedHere(recording: RecordingFacts): boolean {
  return recording.hostname === hostname() && recording.osRelease === release();
}

export function defaultSymbolSources(warn: (line: string) => void = () => {}, recording: RecordingFacts = {}): PerfSymbolSources {
  return {
    binaries: recording.background ? recording.background.resolver(() => createBinaryResolver({ warn })) : createBinaryResolver({ warn }),
    kernel: withBackground(recording, {
      resolveKernelAddresses(addresses, buildId, reference) {
        const kernel = createKernelResolver({ recordedBuildId: buildId, allowWithoutBuildId: recordedHere(recording), reference });
        if (kernel.warning) warn(kernel.warning);
        return addresses.map((address) => (kernel.active ? kernel.resolve(address) : { frames: [] }));
      },
    }),
    jit: {
      resolveJitAddresses(pid, addresses) {
        let map: PerfMap | null = null;
        try {
          map = pid > 0 ? loadPerfMap(pid) : null;
        } catch (error) {
          warn(`/tmp/perf-${pid}.map: ${(error as Error).message}`);
        }
        return addresses.map((address) => map?.lookup(address) ?? { frames: [] });
      },
    },
  };
}

/** The kernel resolver of this thread, behind the worker's answers when the read had one (symbols/background.ts). */
function withBackground(recording: RecordingFacts, inThisThread: KernelSymbolizer): KernelSymbolizer {
  return recording.background ? recording.background.kernelResolver(() => inThisThread) : inThisThread;
}
