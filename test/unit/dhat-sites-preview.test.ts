/**
 * The sites preview of DHAT files (src-main/import/dhat/sites-preview.ts):
 * the allocation sites by function that the window shows while a big
 * file's stacks are built. Its groups must be the ones the Sites view then
 * computes from the whole profile (groupAllocationSites by function): the
 * same functions with the same figures and flags. Checked on valgrind DHAT
 * recordings made now (heap, copy and ad-hoc modes) of the alloc_sites
 * fixture, on a dhat-rs file (one allocating frame is inlined) and on a
 * file scaled up from the heap recording, which is also big enough for the
 * import to send a preview through the host, before its profile.
 */

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { defaultShortLivedLifetime, groupAllocationSites, type SiteGroup } from '../../src-shared/analysis/allocation-sites';
import { previewSiteGroups, type SitesPreview } from '../../src-shared/analysis/sites-preview';
import type { EventPayload, HostEventName } from '../../src-shared/contract';
import type { Profile } from '../../src-shared/profile/model';
import { readDhat } from '../../src-main/import/dhat/index';
import { dhatSitesPreview, SITES_PREVIEW_MIN_PROGRAM_POINTS } from '../../src-main/import/dhat/sites-preview';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { createHost } from '../../src-main/host/host';
import { writeDhatRsHeap, type RustFrame } from '../helpers/dhat-rs-writer';
import { compileAllocSites, recordDhat, scaleDhatFile } from '../helpers/memory-tools';
import { ARTIFACTS_DIR } from '../helpers/perf';

const dir = join(ARTIFACTS_DIR, 'memory', 'sites-preview');
const files = new Map<string, string>();

before(async () => {
  mkdirSync(dir, { recursive: true });
  const binary = await compileAllocSites();
  for (const mode of ['heap', 'copy', 'ad-hoc'] as const) files.set(mode, recordDhat(binary, [], mode).file);
  files.set('scaled', scaleDhatFile(files.get('heap')!, 3 << 20, join(dir, 'scaled.dhat.json')).file);
  files.set('dhat-rs', writeDhatRsFile());
});

/** A dhat-rs heap file whose peak site is a function inlined into its caller (two symbols at one address). */
function writeDhatRsFile(): string {
  const base = 0x55d0c3a10000;
  const frame = (offset: number, name: string, line: number): RustFrame => ({ ip: base + offset, name, file: 'src/main.rs', line, column: 9 });
  const allocate = frame(0x20, '<alloc::alloc::Global as core::alloc::Allocator>::allocate', 237);
  const main = frame(0x900, 'demo::main', 40);
  const inlinedSite = [allocate, frame(0x300, 'alloc::raw_vec::RawVec<T,A>::allocate_in', 186), frame(0x300, 'demo::peak', 28), main];
  const plainSite = [allocate, frame(0x400, 'demo::resize', 34), main];
  const file = join(dir, 'dhat-heap.json');
  writeDhatRsHeap(file, {
    cmd: 'target/release/demo',
    pid: 7,
    endAt: 1000,
    events: [
      { at: 10, alloc: 'vec', size: 4096, backtrace: inlinedSite },
      { at: 20, alloc: 'buf', size: 100, backtrace: plainSite },
      { at: 30, free: 'buf' },
      { at: 40, alloc: 'buf2', size: 64, backtrace: plainSite },
    ],
  });
  return file;
}

/** The Sites view's groups by function of a whole profile. */
function viewGroups(profile: Profile): SiteGroup[] {
  return groupAllocationSites(profile, 'function', { shortLivedLifetime: defaultShortLivedLifetime(profile) });
}

/** A group's figures and flags by its label; lifetimes are means, summed in another order, so they are rounded. */
function byLabel(groups: readonly SiteGroup[]): Map<string, unknown> {
  const round = (value: number) => (Number.isNaN(value) ? 'NaN' : Number(value.toPrecision(12)));
  return new Map(
    groups.map((g) => [
      g.label,
      {
        totalBytes: g.totalBytes,
        totalBlocks: g.totalBlocks,
        peakBytes: g.peakBytes,
        endBytes: g.endBytes,
        temporary: round(g.temporary),
        lifetime: round(g.lifetime),
        readsPerByte: round(g.readsPerByte),
        writesPerByte: round(g.writesPerByte),
        flags: g.flags,
      },
    ]),
  );
}

async function previewOf(file: string): Promise<SitesPreview> {
  return dhatSitesPreview(await readDhat(await fileSource(file)), file);
}

for (const name of ['heap', 'copy', 'ad-hoc', 'dhat-rs', 'scaled']) {
  test(`the preview's groups are the Sites view's, by function (${name})`, async () => {
    const file = files.get(name)!;
    const profile = await loadProfile(await fileSource(file));
    const preview = await previewOf(file);
    const expected = byLabel(viewGroups(profile));
    assert.ok(expected.size > 1, `${file}: the profile has more than one allocating function`);
    assert.deepEqual(byLabel(previewSiteGroups(preview)), expected);
    assert.equal(preview.unit, profile.meta.unit);
    assert.equal(preview.eventName, profile.meta.eventName);
  });
}

test('the inlined allocating function is its own group in the preview, as in the view', async () => {
  const labels = (await previewOf(files.get('dhat-rs')!)).labels;
  assert.ok(labels.includes('alloc::raw_vec::RawVec<T,A>::allocate_in'), labels.join(', '));
  assert.ok(!labels.includes('demo::peak'), labels.join(', '));
});

test('an import sends a preview only for a file big enough to need one', async () => {
  const previews: SitesPreview[] = [];
  const onSitesPreview = (preview: SitesPreview) => previews.push(preview);
  await loadProfile(await fileSource(files.get('heap')!), { onSitesPreview });
  assert.equal(previews.length, 0, 'a recording of a few program points opens at once');
  const scaled = await readDhat(await fileSource(files.get('scaled')!));
  assert.ok(scaled.ppCount >= SITES_PREVIEW_MIN_PROGRAM_POINTS, `the scaled file has ${scaled.ppCount} program points`);
  await loadProfile(await fileSource(files.get('scaled')!), { onSitesPreview });
  assert.equal(previews.length, 1);
});

test('the host sends the preview as an event of the open, before the open returns', async () => {
  const seen: { name: HostEventName; payload: unknown; settled: boolean }[] = [];
  let settled = false;
  const host = createHost({
    mode: 'browser',
    version: 'test',
    emit: <E extends HostEventName>(name: E, payload: EventPayload<E>) => seen.push({ name, payload, settled }),
    mayOpenPath: () => true,
  });
  try {
    const opened = await host.openFile({ path: files.get('scaled')!, taskId: 'preview-task' });
    settled = true;
    const previews = seen.filter((event) => event.name === 'sitesPreview');
    assert.equal(previews.length, 1);
    assert.equal(previews[0].settled, false);
    const { taskId, preview } = previews[0].payload as EventPayload<'sitesPreview'>;
    assert.equal(taskId, 'preview-task');
    assert.deepEqual(byLabel(previewSiteGroups(preview)), byLabel(viewGroups(opened.profile)));
  } finally {
    host.dispose();
  }
});
