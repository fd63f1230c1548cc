/**
 * Where frame names come from in a normal import, behind the small
 * interfaces symbolize.ts asks for.
 */

import { hostname, release } from 'node:os';
import type { BackgroundSymbols } from '../../symbols/background';
import { createBinaryResolver } from '../../symbols/binary-resolver';
import { createKernelResolver } from '../../symbols/kernel';
import { loadPerfMap, type PerfMap } from '../../symbols/perf-map';
import type { PerfSymbolSources } from './symbolize';

/** What the recording says about where it was made, for trusting this machine's kallsyms. */
export interface RecordingFacts {
  hostname?: string | null;
  osRelease?: string | null;
  /** This machine's /proc/kallsyms, read while the records streamed (readKallsyms); null or absent: read when needed. */
  kallsyms?: string | null;
  /** User code already resolved in a worker while the records streamed (symbols/background.ts), or null. */
  background?: BackgroundSymbols | null;
}

/**
 * The symbol sources of a normal import: ELF/DWARF binaries
 * (symbols/binary-resolver.ts), kallsyms when the recording's kernel is the
 * running one (symbols/kernel.ts), and /tmp/perf-PID.map for JIT code
 * (symbols/perf-map.ts, as perf report reads them: on this machine).
 */
export function defaultSymbolSources(warn: (line: string) => void = () => {}, recording: RecordingFacts = {}): PerfSymbolSources {
  return {
    binaries: recording.background ? recording.background.resolver(() => createBinaryResolver({ warn })) : createBinaryResolver({ warn }),
    kernel: {
      resolveKernelAddresses(addresses, buildId) {
        // Without a recorded build-id (pipe mode), trust a recording made here, on this kernel release.
        const here = recording.hostname === hostname() && recording.osRelease === release();
        const kernel = createKernelResolver({ recordedBuildId: buildId, allowWithoutBuildId: here, kallsymsText: recording.kallsyms });
        if (kernel.warning) warn(kernel.warning);
        return addresses.map((address) => (kernel.active ? kernel.resolve(address) : { frames: [] }));
      },
    },
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
