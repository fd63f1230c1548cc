/**
 * The profile header's total (store/derived.ts totalWeightOf), on a DHAT
 * recording made now: one pass over the threads' totals, it must equal the
 * sum of tb over the file's program points (what DHAT itself totals) and the
 * per-stack weights' sum it replaced.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sumWeights } from '../../src-shared/analysis/sample-filter';
import { stackWeightsOf, totalWeightOf } from '../../src-renderer/store/derived';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { compileAllocSites, recordDhat } from '../helpers/memory-tools';

test('the header total is the sum of tb over the program points, as the per-stack weights give it', async () => {
  const { file } = recordDhat(await compileAllocSites(), [], 'heap');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { pps: { tb: number }[] };
  const profile = await loadProfile(await fileSource(file));
  const bytes = raw.pps.reduce((total, pp) => total + pp.tb, 0);
  assert.ok(bytes > 0);
  assert.equal(totalWeightOf(profile), bytes);
  assert.equal(totalWeightOf(profile), sumWeights(stackWeightsOf(profile)));
});
