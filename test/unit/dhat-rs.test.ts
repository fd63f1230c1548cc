/**
 * The DHAT importer on files in dhat-rs's flavour of the format (mode
 * "rust-heap" / "rust-ad-hoc", times in µs, frames `0x…: path::fn
 * (file.rs:line:col)`, one allocator frame on top), written by
 * test/helpers/dhat-rs-writer.ts from a scripted run of a small Rust program:
 * short-lived boxes, leaked boxes, a Vec grown by realloc to the peak, a
 * buffer shrunk by realloc and kept.
 *
 * Facts compared, from the written file (plain JSON.parse) and from the
 * totals dhat-rs's bookkeeping prints ("dhat: Total: ... At t-gmax ... At
 * t-end"): totals and allocations equal the sums of tb, tbk, gb and eb and
 * those printed totals; no stack keeps an alloc::alloc or dhat:: frame; the
 * leak site is first at exit, the Vec growth first at the peak, the boxes
 * are short-lived by the file's tuth (10 µs); inlined frames (same address)
 * get inline depths; columns do not leak into names or lines.
 */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { AllocationFlag, computeAllocationFlags } from '../../src-shared/analysis/allocation-flags';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { buildReport } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { writeDhatRsAdHoc, writeDhatRsHeap, type DhatRsTotals, type HeapEvent, type RustFrame } from '../helpers/dhat-rs-writer';
import { functionNamesOnStacks, sitesBy } from '../helpers/memory-tools';
import { ARTIFACTS_DIR } from '../helpers/perf';

const dir = join(ARTIFACTS_DIR, 'memory', 'dhat-rs');
const base = 0x55d0c3a10000;
const frame = (offset: number, name: string, file: string, line: number, column = 9): RustFrame => ({ ip: base + offset, name, file, line, column });
const main = (line: number) => frame(0x900 + line, 'dhat_demo::main', 'main.rs', line, 5);
const exchangeMalloc = frame(0x10, 'alloc::alloc::exchange_malloc', 'alloc.rs', 330, 18);
const allocate = frame(0x20, '<alloc::alloc::Global as core::alloc::Allocator>::allocate', 'alloc.rs', 237, 9);

const boxSite = [exchangeMalloc, frame(0x100, 'dhat_demo::short_lived', 'main.rs', 12, 17), main(40)];
const leakSite = [exchangeMalloc, frame(0x200, 'dhat_demo::leak', 'main.rs', 20, 22), main(41)];
// RawVec::allocate_in inlined into dhat_demo::peak: two symbols at one address.
const vecSite = [allocate, frame(0x300, 'alloc::raw_vec::RawVec<T,A>::allocate_in', 'raw_vec.rs', 186, 45), frame(0x300, 'dhat_demo::peak', 'main.rs', 28, 21), main(42)];
const bufferSite = [allocate, frame(0x400, 'dhat_demo::resize', 'main.rs', 34, 19), main(43)];

function script(): HeapEvent[] {
  const events: HeapEvent[] = [];
  for (let i = 0; i < 200; i++) {
    events.push({ at: 10 + 3 * i, alloc: `box${i}`, size: 32, backtrace: boxSite });
    events.push({ at: 12 + 3 * i, free: `box${i}` });
  }
  for (let i = 0; i < 10; i++) events.push({ at: 700 + i, alloc: `leak${i}`, size: 1000, backtrace: leakSite });
  events.push({ at: 720, alloc: 'buffer', size: 2048, backtrace: bufferSite });
  events.push({ at: 725, realloc: 'buffer', size: 512 });
  events.push({ at: 800, alloc: 'vec', size: 4 << 20, backtrace: vecSite });
  events.push({ at: 810, realloc: 'vec', size: 6 << 20 });
  events.push({ at: 900, free: 'vec' });
  return events;
}

let heapFile: string;
let totals: DhatRsTotals;
let profile: Profile;

before(async () => {
  mkdirSync(dir, { recursive: true });
  heapFile = join(dir, 'dhat-heap.json');
  totals = writeDhatRsHeap(heapFile, { cmd: 'target/release/dhat_demo --quick', pid: 4242, endAt: 1200, events: script() });
  profile = await loadProfile(await fileSource(heapFile));
});

interface RawPp {
  tb: number;
  tbk: number;
  gb: number;
  eb: number;
}

test('totals equal the sums over the program points and dhat-rs\'s own totals', () => {
  const raw = JSON.parse(readFileSync(heapFile, 'utf8')) as { pps: RawPp[]; mode: string };
  assert.equal(raw.mode, 'rust-heap');
  const sum = (field: keyof RawPp) => raw.pps.reduce((total, pp) => total + pp[field], 0);
  const report = buildReport(profile, 100);
  assert.equal(report.format, 'dhat');
  assert.equal(report.unit, 'bytes');
  assert.equal(report.total, sum('tb'));
  assert.deepEqual(report.allocations, { totalBytes: sum('tb'), totalBlocks: sum('tbk'), peakBytes: sum('gb'), endBytes: sum('eb') });
  assert.deepEqual(report.allocations, { totalBytes: totals.totalBytes, totalBlocks: totals.totalBlocks, peakBytes: totals.maxBytes, endBytes: totals.currBytes });
  assert.equal(profile.meta.command, 'target/release/dhat_demo --quick');
  assert.equal(profile.meta.eventName, 'rust-heap');
});

test('allocator frames are gone; the callers are the sites', () => {
  const names = functionNamesOnStacks(profile);
  for (const name of names) assert.ok(!name.startsWith('alloc::alloc::') && !name.startsWith('<alloc::alloc::'), `${name} is dropped`);
  const sites = new Set(sitesBy(profile, 'totalBytes').map((s) => s.name));
  assert.deepEqual(sites, new Set(['dhat_demo::short_lived', 'dhat_demo::leak', 'alloc::raw_vec::RawVec<T,A>::allocate_in', 'dhat_demo::resize']));
});

test('leak first at exit, Vec growth first at the peak, boxes short-lived by tuth', () => {
  assert.equal(sitesBy(profile, 'endBytes')[0].name, 'dhat_demo::leak');
  assert.equal(sitesBy(profile, 'peakBytes')[0].name, 'alloc::raw_vec::RawVec<T,A>::allocate_in');
  const table = profile.allocations;
  assert.ok(table);
  const raw = JSON.parse(readFileSync(heapFile, 'utf8')) as { tuth: number; tu: string };
  assert.equal(raw.tu, 'µs');
  const flags = computeAllocationFlags(table, { shortLivedLifetime: raw.tuth });
  for (const site of sitesBy(profile, 'totalBlocks')) {
    const shortLived = (flags[site.row] & AllocationFlag.shortLived) !== 0;
    assert.equal(shortLived, site.name === 'dhat_demo::short_lived', `${site.name}: short-lived`);
    if (site.name === 'dhat_demo::short_lived') assert.equal(table.lifetime[site.row], 2, 'each box lives 2 µs');
  }
});

test('inlined symbols share an address and get inline depths; file:line:col parsed', () => {
  const table = profile.allocations;
  assert.ok(table);
  const peak = sitesBy(profile, 'peakBytes')[0];
  const leafStack = table.stack[peak.row];
  const leaf = profile.stacks.frame[leafStack];
  const caller = profile.stacks.frame[profile.stacks.prefix[leafStack]];
  const fn = (f: number) => profile.frames.func[f];
  assert.equal(stringAt(profile, profile.funcs.name[fn(caller)]), 'dhat_demo::peak');
  assert.equal(profile.frames.inlineDepth[leaf], 1, 'RawVec::allocate_in is inlined into peak');
  assert.equal(profile.frames.inlineDepth[caller], 0);
  assert.equal(profile.frames.address[leaf], profile.frames.address[caller]);
  assert.equal(profile.frames.line[caller], 28);
  assert.equal(stringAt(profile, profile.funcs.file[fn(caller)]), 'main.rs');
  assert.equal(stringAt(profile, profile.funcs.file[fn(leaf)]), 'raw_vec.rs');
});

test('rust-ad-hoc: units per caller of dhat::ad_hoc_event', async () => {
  // dhat-rs trims nothing from ad hoc backtraces: the backtrace crate's and dhat's frames come first.
  const internals = [
    frame(0x1000, 'backtrace::backtrace::libunwind::trace', 'libunwind.rs', 93, 5),
    frame(0x1010, 'backtrace::capture::Backtrace::new_unresolved', 'capture.rs', 163, 9),
    frame(0x1020, 'dhat::ad_hoc_event', 'lib.rs', 1010, 26),
  ];
  const parse = [...internals, frame(0x500, 'dhat_demo::parse', 'main.rs', 50, 9), main(60)];
  const emit = [...internals, frame(0x600, 'dhat_demo::emit', 'main.rs', 55, 9), main(61)];
  const events = [
    ...Array.from({ length: 30 }, (_, i) => ({ weight: 1 + (i % 4), backtrace: parse })),
    ...Array.from({ length: 5 }, () => ({ weight: 100, backtrace: emit })),
  ];
  const file = join(dir, 'dhat-ad-hoc.json');
  writeDhatRsAdHoc(file, { cmd: 'dhat_demo', pid: 7, endAt: 50, events });
  const adHoc = await loadProfile(await fileSource(file));
  const report = buildReport(adHoc, 100);
  assert.equal(report.unit, 'samples');
  assert.equal(report.total, events.reduce((total, e) => total + e.weight, 0));
  const bySite = new Map(sitesBy(adHoc, 'totalBytes').map((s) => [s.name, s.value]));
  assert.deepEqual(bySite, new Map([
    ['dhat_demo::emit', 500],
    ['dhat_demo::parse', events.slice(0, 30).reduce((total, e) => total + e.weight, 0)],
  ]));
  assert.equal(report.allocations?.totalBlocks, events.length, 'events');
});
