/**
 * A 100 MB+ DHAT file opens without running out of memory: the file is made
 * by scaling a DHAT recording of the alloc_sites fixture (made now) to
 * 110 MiB, then imported in a child Node whose JavaScript heap is capped at
 * 192 MiB. JSON.parse alone needs more than that for such a file (the text
 * plus the object graph), so this fails if the importer ever reads the file
 * as one string. The totals must equal the sums the scaler wrote.
 *
 * Time, peak RSS and the file's size are printed as test diagnostics (the
 * benchmark in bench/ is where speed is judged; the machine running tests
 * may be busy).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { compileAllocSites, recordDhat, scaleDhatFile } from '../helpers/memory-tools';
import { ARTIFACTS_DIR } from '../helpers/perf';

const REPO_ROOT = resolve(__dirname, '..', '..');
const HEAP_LIMIT_MB = 192;

/** Runs in the child: imports the file and prints what the test checks. */
const CHILD = `
import { loadProfile } from ${JSON.stringify(join(REPO_ROOT, 'src-main/import/load.ts'))};
import { fileSource } from ${JSON.stringify(join(REPO_ROOT, 'src-main/import/source.ts'))};
import { buildReport } from ${JSON.stringify(join(REPO_ROOT, 'src-shared/report.ts'))};
const started = Date.now();
const profile = await loadProfile(await fileSource(process.argv[2]));
const ms = Date.now() - started;
const report = buildReport(profile, 5);
console.log(JSON.stringify({
  ms,
  cpuMs: Math.round(process.cpuUsage().user / 1000),
  maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  total: report.total,
  allocations: report.allocations,
  rows: profile.allocations.length,
}));
`;

test('a 110 MiB DHAT file imports with the JS heap capped at 192 MiB', { timeout: 600_000 }, async (t) => {
  const dir = join(ARTIFACTS_DIR, 'memory', 'dhat-big');
  mkdirSync(dir, { recursive: true });
  const { file: recorded } = recordDhat(await compileAllocSites(), [], 'heap');
  const big = scaleDhatFile(recorded, 110 << 20, join(dir, 'dhat-big.json'));
  assert.ok(big.bytes >= 110 << 20);
  const script = join(dir, 'import-big.mts');
  writeFileSync(script, CHILD);
  try {
    const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--import', 'tsx', script, big.file], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    assert.equal(child.status, 0, `the import failed (out of memory?):\n${child.stderr.slice(-2000)}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop() as string);
    t.diagnostic(`${(big.bytes / 1048576).toFixed(0)} MiB, ${big.programPoints} program points, ${big.frames} frames: ` +
      `${result.ms} ms wall, ${result.cpuMs} ms CPU, peak RSS ${result.maxRssMB} MiB (JS heap capped at ${HEAP_LIMIT_MB} MiB)`);
    assert.equal(result.total, big.sums.tb);
    assert.deepEqual(result.allocations, { totalBytes: big.sums.tb, totalBlocks: big.sums.tbk, peakBytes: big.sums.gb, endBytes: big.sums.eb });
    assert.equal(result.rows, big.programPoints, 'every scaled program point has its own stack');
  } finally {
    rmSync(big.file, { force: true });
  }
});
