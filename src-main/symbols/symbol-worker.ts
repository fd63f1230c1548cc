/**
 * The worker thread of background.ts: resolves (binary, file offsets)
 * batches with an ordinary binary resolver and kernel addresses with
 * kallsyms (read and indexed on the first 'kernel-ahead', while the
 * importer still reads records), in the order the requests come, and
 * answers a flush once everything before it is sent.
 */

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { FromSymbolWorker, ToSymbolWorker } from './background';
import { createBinaryResolver } from './binary-resolver';
import { createKernelResolver, readKallsymsIndex } from './kernel';

/**
 * This thread's work has slack (it answers while the reader streams; the
 * reader waits ~10 ms at the end), and the reader's thread is the import's
 * critical path. On Linux this thread alone (its tid) takes a lower
 * priority, so the two cores go to the reader first. Measured: dwarf bench
 * 1.05 -> 1.01 s, 1M-sample frame-pointer file 2.47 -> 2.28 s.
 */
function yieldToTheReader(): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
  } catch {
    // No /proc (macOS): run at the process's priority.
  }
}

const port = parentPort;
if (port) {
  yieldToTheReader();
  const post = (message: FromSymbolWorker) => port.postMessage(message);
  const warn = (line: string) => post({ type: 'warning', line });
  const resolver = createBinaryResolver({ warn });
  let kallsyms: ReturnType<typeof readKallsymsIndex> | undefined;
  const kallsymsIndex = () => (kallsyms === undefined ? (kallsyms = readKallsymsIndex()) : kallsyms);

  const handle = (message: ToSymbolWorker): void => {
    if (message.type === 'flush') {
      post({ type: 'flushed' });
    } else if (message.type === 'kernel-ahead') {
      kallsymsIndex(); // now, while the importer still reads records: it will ask at the end
    } else if (message.type === 'kernel') {
      const kernel = createKernelResolver({
        recordedBuildId: message.recordedBuildId,
        allowWithoutBuildId: message.allowWithoutBuildId,
        kallsymsIndex: kallsymsIndex(),
        reference: message.reference,
      });
      if (kernel.warning) warn(kernel.warning);
      const results = message.addresses.map((address) => (kernel.active ? kernel.resolve(address) : { frames: [] }));
      post({ type: 'kernel-resolved', addresses: message.addresses, results });
    } else {
      const binary = { path: message.path, buildId: message.buildId };
      let results;
      try {
        results = resolver.resolveFileOffsets(binary, message.offsets);
      } catch {
        // Not answered: the importer's thread resolves these offsets itself and reports the error.
        return;
      }
      post({ type: 'resolved', path: message.path, buildId: message.buildId, offsets: message.offsets, results, located: resolver.locate(binary) });
    }
  };
  // Handled synchronously, so in the order sent: a flush follows the answers to everything before it.
  port.on('message', (message: ToSymbolWorker) => {
    try {
      handle(message);
    } catch {
      // Not answered: the importer's thread resolves what this did not.
    }
  });
}
