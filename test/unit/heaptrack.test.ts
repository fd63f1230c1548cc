/**
 * The heaptrack importer on a heaptrack recording of the alloc_sites
 * fixture made now, against heaptrack_print on the same file (run without
 * suppressions, as Heatline reports leaks).
 *
 * Facts compared:
 * - allocations, temporary allocations, peak and leaked bytes equal
 *   heaptrack_print's totals (exact sums of its flame graph output, which
 *   also round to its summary's "4.33M"), bytes allocated equal its size
 *   histogram's sum, and the report's total is that sum;
 * - per allocating function: allocations, peak and leaked as heaptrack_print
 *   attributes them;
 * - the leak site is first by bytes at exit, the peak site first by peak
 *   bytes, the short-lived site is flagged (mostly temporary allocations);
 * - heap over time peaks at the peak; RSS peaks at heaptrack_print's peak RSS;
 * - the same data gzip-compressed or uncompressed gives the same profile;
 * - a cut stream keeps what came before (warning); corrupt streams, raw
 *   files, broken records and compressed non-heaptrack data get one line.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { decompress } from 'fzstd';
import { AllocationFlag, computeAllocationFlags } from '../../src-shared/analysis/allocation-flags';
import { UserFacingError } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import { buildReport } from '../../src-shared/report';
import { readHeaptrack } from '../../src-main/import/heaptrack';
import { buildHeaptrackProfile } from '../../src-main/import/heaptrack/build';
import type { HeaptrackData } from '../../src-main/import/heaptrack/reader';
import { loadProfile } from '../../src-main/import/load';
import { detectImporter } from '../../src-main/import/registry';
import { bytesSource, fileSource } from '../../src-main/import/source';
import { runTool } from '../helpers/compile';
import {
  compileAllocSites,
  functionNamesOnStacks,
  heaptrackPrintReport,
  heaptrackRounded,
  ourHeaptrackName,
  recordHeaptrack,
  sitesBy,
  type HeaptrackPrintReport,
} from '../helpers/memory-tools';

const LIMIT = { timeout: 30_000 };
let file: string;
let compressed: Uint8Array;
let reference: HeaptrackPrintReport;
let data: HeaptrackData;
let profile: Profile;
let temporaryBlocks: Float64Array;
let rssText: string;

before(async () => {
  file = recordHeaptrack(await compileAllocSites(), []);
  compressed = readFileSync(file);
  reference = heaptrackPrintReport(file);
  const summary = runTool('heaptrack_print', ['--file', file, '-p', '0', '-a', '0', '-T', '0']);
  rssText = /peak RSS \(including heaptrack overhead\): (\S+)/.exec(summary)?.[1] as string;
  data = await readHeaptrack(await fileSource(file));
  ({ profile, temporaryBlocks } = buildHeaptrackProfile(data, file));
});

test('the recording is detected as heaptrack, by content', () => {
  assert.equal(detectImporter(compressed.subarray(0, 65536))?.id, 'heaptrack');
});

test("totals equal heaptrack_print's", () => {
  const report = buildReport(profile, 100);
  assert.equal(report.format, 'heaptrack');
  assert.equal(report.unit, 'bytes');
  assert.equal(report.allocations?.totalBlocks, reference.allocations);
  assert.equal(data.totals.temporary, reference.temporary);
  assert.equal(report.allocations?.peakBytes, reference.peakBytes);
  assert.equal(heaptrackRounded(reference.peakBytes), reference.peakText, "the exact peak rounds to heaptrack_print's summary");
  assert.equal(report.allocations?.endBytes, reference.leakedBytes);
  assert.equal(heaptrackRounded(reference.leakedBytes), reference.leakedText);
  assert.equal(report.allocations?.totalBytes, reference.allocatedBytes);
  assert.equal(report.total, reference.allocatedBytes, 'total = bytes allocated');
  assert.deepEqual(profile.meta.warnings, []);
});

test("per allocating function: heaptrack_print's allocations, peak and leaked", () => {
  const table = profile.allocations;
  assert.ok(table);
  const ours = new Map<string, { allocations: number; peak: number; leaked: number }>();
  for (const site of sitesBy(profile, 'totalBlocks')) {
    const entry = ours.get(site.name) ?? { allocations: 0, peak: 0, leaked: 0 };
    entry.allocations += table.totalBlocks[site.row];
    entry.peak += table.peakBytes[site.row];
    entry.leaked += table.endBytes[site.row];
    ours.set(site.name, entry);
  }
  for (const [name, theirs] of reference.byFunction) {
    assert.deepEqual(ours.get(ourHeaptrackName(name, ours.keys())), { allocations: theirs.allocations, peak: theirs.peak, leaked: theirs.leaked }, name);
  }
  for (const site of ['short_lived_site', 'leak_site', 'peak_site']) assert.ok(reference.byFunction.has(site), `heaptrack_print names ${site}`);
  assert.ok(!functionNamesOnStacks(profile).has('malloc'));
});

test('leak first at exit, peak first at the peak, short-lived flagged', () => {
  assert.equal(sitesBy(profile, 'endBytes')[0].name, 'leak_site');
  assert.equal(sitesBy(profile, 'peakBytes')[0].name, 'peak_site');
  const table = profile.allocations;
  assert.ok(table);
  const flags = computeAllocationFlags(table, { temporaryBlocks });
  for (const site of sitesBy(profile, 'totalBlocks')) {
    if (!['short_lived_site', 'leak_site', 'peak_site'].includes(site.name)) continue;
    assert.equal((flags[site.row] & AllocationFlag.shortLived) !== 0, site.name === 'short_lived_site', `${site.name}: short-lived`);
  }
  const shortLived = sitesBy(profile, 'totalBlocks').find((s) => s.name === 'short_lived_site');
  assert.equal(temporaryBlocks[shortLived?.row ?? -1], reference.byFunction.get('short_lived_site')?.temporary);
});

test('heap and RSS over time', () => {
  const heap = profile.counters.find((c) => c.name === 'heap');
  const rss = profile.counters.find((c) => c.name === 'rss');
  assert.ok(heap && rss);
  assert.equal(Math.max(...heap.value), reference.peakBytes, 'the heap counter reaches the peak');
  assert.equal(heaptrackRounded(Math.max(...rss.value)), rssText, "peak RSS as heaptrack_print's");
  for (const track of [heap, rss]) {
    for (let i = 1; i < track.time.length; i++) assert.ok(track.time[i] >= track.time[i - 1], `${track.name}: times in order`);
  }
});

async function totalsOf(name: string, bytes: Uint8Array): Promise<unknown> {
  const other = await loadProfile(bytesSource(name, bytes));
  return { report: buildReport(other, 1000), warnings: other.meta.warnings };
}

test('gzip-compressed and uncompressed data give the same profile', LIMIT, async () => {
  const plain = decompress(compressed);
  const expected = { report: buildReport(profile, 1000), warnings: [] };
  assert.deepEqual(await totalsOf('heaptrack.x.1.gz', gzipSync(plain)), expected);
  assert.deepEqual(await totalsOf('heaptrack.x.1', plain), expected);
});

async function assertOneLineError(name: string, bytes: Uint8Array, problem: RegExp): Promise<void> {
  await assert.rejects(loadProfile(bytesSource(name, bytes)), (error: unknown) => {
    assert.ok(error instanceof UserFacingError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(error.message.startsWith(`${name}: `), error.message);
    assert.match(error.message, problem);
    return true;
  });
}

test('a cut stream keeps what came before, with a warning', LIMIT, async () => {
  const plain = decompress(compressed);
  // Uncompressed data shows a cut only by its last line missing its newline: cut mid-line.
  let cutAt = Math.floor(plain.length * 0.6);
  while (plain[cutAt - 1] === 0x0a || plain[cutAt] === 0x0a) cutAt++;
  const cutPlain = plain.subarray(0, cutAt);
  for (const [name, bytes] of [
    ['heaptrack.cut.1.gz', gzipSync(plain).subarray(0, Math.floor(gzipSync(plain).length * 0.7))],
    ['heaptrack.cut.1', cutPlain],
    ['heaptrack.cut.1.zst', compressed.subarray(0, compressed.length - 7)],
  ] as const) {
    const cut = await loadProfile(bytesSource(name, bytes));
    assert.match(cut.meta.warnings.join('\n'), /the data ends early, after line \d+/, name);
    assert.ok((buildReport(cut).allocations?.totalBlocks ?? Infinity) <= reference.allocations, name);
  }
});

/** A zstd frame holding `text` in one raw (stored) block (RFC 8878 3.1.1), for non-heaptrack content. */
function zstdStored(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  assert.ok(body.length < 256);
  const blockHeader = 1 | (body.length << 3); // last block, raw, size
  return Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, body.length, blockHeader & 0xff, (blockHeader >> 8) & 0xff, blockHeader >> 16, ...body]);
}

test('corrupt, raw and broken data: one line naming the file', LIMIT, async () => {
  const corrupt = Uint8Array.from(compressed);
  corrupt[4] ^= 0xff; // the frame header descriptor: now single-segment, with a content size of gigabytes
  await assertOneLineError('heaptrack.bad.1.zst', corrupt, /heaptrack: corrupt zstd data: its frame asks for a \d+ MiB window/);
  // A good frame, then a corrupt one: the start is heaptrack data, the rest does not decompress.
  const goodThenBad = new Uint8Array(compressed.length + corrupt.length);
  goodThenBad.set(compressed);
  goodThenBad.set(corrupt, compressed.length);
  await assertOneLineError('heaptrack.bad.2.zst', goodThenBad, /heaptrack: corrupt zstd data \(invalid zstd data\)/);
  // A header byte that asks for a 1920 MiB window (fzstd would allocate it): refused before decoding, as zstd -d does.
  assert.equal(compressed[4] & 0x20, 0, "heaptrack's frame is not single-segment: byte 5 is its window descriptor");
  const hugeWindow = Uint8Array.from(compressed);
  hugeWindow[5] = 0xa7;
  await assertOneLineError('heaptrack.window.zst', hugeWindow, /heaptrack: corrupt zstd data: its frame asks for a 1920 MiB window/);
  const text = (s: string) => new TextEncoder().encode(s);
  await assertOneLineError('heaptrack.raw.1', text('v 10400 3\nx ./prog\nm 1 /lib/libc.so.6 7f0000000000 0 1000\n'), /heaptrack: line 2: raw heaptrack data/);
  await assertOneLineError('heaptrack.p.1', text('v 10400 3\nX ./p\n+ 5\n'), /heaptrack: line 3: refers to allocation info 5, which was never defined/);
  await assertOneLineError('heaptrack.p.2', text('v 10400 3\nX ./p\nQ 1\n'), /heaptrack: line 3: unknown record kind "Q"/);
  await assertOneLineError('heaptrack.p.3', text('v 10400 3\nX ./p\ns 3 abc\ni 1000 1\nt 1 7\n'), /heaptrack: line 5: refers to trace 7/);
  await assertOneLineError('heaptrack.p.4', text('v 10400 4\nX ./p\n'), /heaptrack file format 4 is newer than Heatline reads/);
  await assertOneLineError('heaptrack.p.5', text('v 10400 3\nX ./p\na zz 1\n'), /heaptrack: line 3: malformed record/);
  // Compressed, but not heaptrack: a clear "not a profile" line, never garbage.
  await assertOneLineError('notes.txt.zst', zstdStored('just some notes\nnot a profile\n'), /not a profile Heatline can read/);
  await assertOneLineError('notes.txt.gz', gzipSync(text('just some notes\n')), /not a profile Heatline can read/);
  assert.equal(new TextDecoder().decode(decompress(zstdStored('ok'))), 'ok', 'the stored frame is valid zstd');
});
