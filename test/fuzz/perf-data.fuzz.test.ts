/**
 * Fuzzing the perf.data reader: random truncations, byte flips and extreme
 * u64 values over files recorded here (frame pointers, pipe mode, DWARF with
 * many sample fields), for a bounded time (FUZZ_SECONDS, default 15).
 *
 * Every case must end, within CASE_DEADLINE_MS, in a profile or a one-line
 * UserFacingError: never another exception, a hang, or a heap blowing past
 * the worker's limit. The cases run in a worker so a hang can be killed.
 * The seed is printed on failure; FUZZ_SEED=<seed> replays a run.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileFixture, recordPerf } from '../helpers/perf';
import { recordPerfPipe, recordPerfWith } from '../helpers/perf-data';
import type { FuzzJob, FuzzReply } from './perf-data-fuzz-worker';

const BUDGET_MS = Number(process.env.FUZZ_SECONDS ?? 15) * 1000;
const CASE_DEADLINE_MS = 5000;

test('perf.data reader survives random truncation and corruption', { timeout: BUDGET_MS + 120_000 }, async (t) => {
  const cpuHot = await compileFixture('cpu_hot');
  const files = [
    await recordPerf(cpuHot, ['3'], { frequency: 1000 }),
    await recordPerfPipe(await compileFixture('threads'), ['10'], 'threads-fuzz-pipe.perf.data', 1000),
    await recordPerfWith(['-e', 'cpu-clock', '-F', '500', '--call-graph', 'dwarf,1024', '-R', '--sample-cpu', '--', cpuHot, '2'], 'cpu_hot-fuzz-dwarf.perf.data'),
  ];
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  const job: FuzzJob = { files, seed, budgetMs: BUDGET_MS };
  // Worker threads do not take `--import tsx` from execArgv: load the TypeScript worker through tsx's CommonJS loader.
  const bootstrap = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(__dirname, 'perf-data-fuzz-worker.ts'))});`;
  const worker = new Worker(bootstrap, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 512 } });

  const outcome = await new Promise<FuzzReply & { type: 'finished' }>((resolve, reject) => {
    let current: { index: number; description: string } | null = null;
    let timer: NodeJS.Timeout | undefined;
    const fail = (why: string) => {
      clearTimeout(timer);
      void worker.terminate();
      reject(new Error(`${why} (FUZZ_SEED=${seed}${current ? `, case ${current.index}: ${current.description}` : ''})`));
    };
    worker.on('message', (reply: FuzzReply) => {
      if (reply.type === 'start') {
        current = reply;
        clearTimeout(timer);
        timer = setTimeout(() => fail(`a case took longer than ${CASE_DEADLINE_MS} ms`), CASE_DEADLINE_MS);
      } else if (reply.type === 'done') {
        clearTimeout(timer);
      } else if (reply.type === 'failure') {
        fail(`not a one-line UserFacingError: ${reply.problem}`);
      } else {
        clearTimeout(timer);
        void worker.terminate();
        resolve(reply);
      }
    });
    worker.on('error', (error: Error) => fail(`the worker crashed: ${error.message}`));
    worker.on('exit', (code) => fail(`the worker exited (${code}) before finishing`));
  });
  t.diagnostic(`seed ${seed}: ${outcome.cases} cases, ${outcome.imported} imported, ${outcome.errors} one-line errors`);
  assert.ok(outcome.cases > 100, `only ${outcome.cases} cases ran (seed ${seed})`);
  assert.ok(outcome.imported > 0 && outcome.errors > 0, `both outcomes were exercised: ${JSON.stringify(outcome)}`);
});
