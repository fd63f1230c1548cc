/**
 * A perf.data cut at any byte: in the header or the event attributes it is a
 * one-line error; in the data section the complete records before the cut
 * are imported, with a warning saying how much was lost; in the feature
 * sections after the data, every sample is there. Recorded here with perf,
 * so the cuts land in a real file's real layout.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { UserFacingError } from '../../src-shared/errors';
import { readPerfData } from '../../src-main/import/perf-data';
import { readPerfHeader } from '../../src-main/import/perf-data/header';
import { bytesSource } from '../../src-main/import/source';
import { compileFixture, recordPerf } from '../helpers/perf';
import { manyImportsConfig } from '../helpers/perf-data';

/** mulberry32: a small seeded PRNG, so a failing cut can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('truncated at many byte offsets: a one-line error, or the records before the cut and a warning', async () => {
  const path = await recordPerf(await compileFixture('cpu_hot'), ['3'], { frequency: 1000 });
  const bytes = new Uint8Array(readFileSync(path));
  const header = await readPerfHeader(bytesSource('full', bytes));
  const dataStart = header.data.offset;
  const dataEnd = dataStart + header.data.size;
  const load = async (data: Uint8Array) => (await readPerfData(bytesSource('cut.data', data), {}, manyImportsConfig)).profile;
  const full = await load(bytes);
  assert.ok(full.samples.length > 50, 'the recording has samples');

  const seed = 20240611;
  const random = prng(seed);
  const cuts = new Set<number>();
  for (let at = 1; at <= dataStart + 64; at++) cuts.add(at); // header, attrs, ids, first records: every byte
  for (let i = 0; i < 120; i++) cuts.add(dataStart + Math.floor(random() * (dataEnd - dataStart)));
  for (let at = dataEnd; at < bytes.length; at += 97) cuts.add(at); // the feature sections
  const sorted = [...cuts].sort((a, b) => a - b);

  let previous = 0;
  let errors = 0;
  for (const cut of sorted) {
    const where = `cut at ${cut} of ${bytes.length} (data ${dataStart}..${dataEnd}, seed ${seed})`;
    let profile;
    try {
      profile = await load(bytes.subarray(0, cut));
    } catch (error) {
      assert.ok(error instanceof UserFacingError, `${where}: ${String(error)}`);
      assert.ok(!error.message.includes('\n') && !error.message.includes('internal error'), `${where}: ${error.message}`);
      // Before the first record any one-line error; after it, only "no samples" (the cut came before the first
      // sample), and never once a shorter cut has opened.
      const beforeFirstSample = previous === 0 && /(^|: )no samples: truncated: \d+ bytes of the \d+-byte data section were not read/.test(error.message);
      assert.ok(cut < dataStart + 8 || beforeFirstSample, `${where}: only a cut before the first sample may fail: ${error.message}`);
      errors++;
      continue;
    }
    const samples = profile.samples.length;
    assert.ok(samples > 0, `${where}: a profile opens with samples`);
    assert.ok(samples <= full.samples.length, where);
    assert.ok(samples >= previous, `${where}: a longer file never has fewer samples`);
    previous = samples;
    if (cut < dataEnd) assert.match(profile.meta.warnings.join('\n'), /truncated: \d+ bytes of the \d+-byte data section were not read/, where);
    else assert.equal(samples, full.samples.length, where);
  }
  assert.ok(errors > 0 && errors < sorted.length, 'both outcomes were exercised');
  assert.equal(previous, full.samples.length);
});
