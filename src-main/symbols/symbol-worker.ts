/**
 * The worker thread of background.ts: resolves (binary, file offsets)
 * batches with an ordinary binary resolver, in the order they come, and
 * answers a flush once everything before it is sent.
 */

import { parentPort } from 'node:worker_threads';
import type { FromSymbolWorker, ToSymbolWorker } from './background';
import { createBinaryResolver } from './binary-resolver';

const port = parentPort;
if (port) {
  const post = (message: FromSymbolWorker) => port.postMessage(message);
  const resolver = createBinaryResolver({ warn: (line) => post({ type: 'warning', line }) });
  port.on('message', (message: ToSymbolWorker) => {
    if (message.type === 'flush') {
      post({ type: 'flushed' });
      return;
    }
    const binary = { path: message.path, buildId: message.buildId };
    let results;
    try {
      results = resolver.resolveFileOffsets(binary, message.offsets);
    } catch {
      // Not answered: the importer's thread resolves these offsets itself and reports the error.
      return;
    }
    post({ type: 'resolved', path: message.path, buildId: message.buildId, offsets: message.offsets, results, located: resolver.locate(binary) });
  });
}
