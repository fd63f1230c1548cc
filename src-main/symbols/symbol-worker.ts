/**
 * The worker thread of background.ts: resolves (binary, file offsets)
 * batches with an ordinary binary resolver and kernel addresses with
 * kallsyms (read and indexed in the background from the first
 * 'kernel-ahead'), in the order the requests come, and answers a flush once
 * everything before it is sent.
 */

import { parentPort } from 'node:worker_threads';
import type { FromSymbolWorker, ToSymbolWorker } from './background';
import { createBinaryResolver } from './binary-resolver';
import { createKernelResolver, readKallsymsIndex } from './kernel';

const port = parentPort;
if (port) {
  const post = (message: FromSymbolWorker) => port.postMessage(message);
  const warn = (line: string) => post({ type: 'warning', line });
  const resolver = createBinaryResolver({ warn });
  let kallsyms: ReturnType<typeof readKallsymsIndex> | null = null;
  const kallsymsIndex = () => (kallsyms ??= readKallsymsIndex());

  const handle = async (message: ToSymbolWorker): Promise<void> => {
    if (message.type === 'flush') {
      post({ type: 'flushed' });
    } else if (message.type === 'kernel-ahead') {
      void kallsymsIndex(); // not awaited: the read goes on while other requests are answered
    } else if (message.type === 'kernel') {
      const kernel = createKernelResolver({
        recordedBuildId: message.recordedBuildId,
        allowWithoutBuildId: message.allowWithoutBuildId,
        kallsymsIndex: await kallsymsIndex(),
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
  // One request at a time, in order: a flush must follow the answers to everything sent before it.
  let queue = Promise.resolve();
  port.on('message', (message: ToSymbolWorker) => {
    queue = queue.then(() => handle(message)).catch(() => undefined);
  });
}
