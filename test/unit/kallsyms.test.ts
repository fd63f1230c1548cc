/**
 * Kernel symbols from this machine's /proc/kallsyms (run as root, or with
 * kernel.kptr_restrict=0, so addresses are visible), checked against the
 * file's own data read another way: `awk` keeps the types perf keeps
 * (text, weak, data, bss) and `sort` orders them, then for a sample of
 * symbols whose address no other kept symbol shares, a lookup of the start
 * address and of start + 1 must name that symbol, and start - 1 must not.
 *
 * The kernel's build-id read from /sys/kernel/notes must equal
 * `perf buildid-list -k`. The resolver names frames only for a recording of
 * this kernel: a different build-id, a recording without one, and a
 * kallsyms whose addresses read as 0 (kptr_restrict) all give `[kernel]`
 * frames and a warning.
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKernelResolver, KallsymsIndex, readKernelBuildId, UNKNOWN_KERNEL_FRAME } from '../../src-main/symbols/kernel';
import { artifactDir, runTool } from '../helpers/compile';

interface Row {
  address: bigint;
  name: string;
  count: number;
}

/** Kept symbols, one row per address with how many symbols share it, sorted by awk + sort. */
function referenceRows(): Row[] {
  const script = "awk '$2 ~ /^[tTwWdDbB]$/ { print $1, $3 }' /proc/kallsyms | LC_ALL=C sort -k1,1 -s";
  const rows: Row[] = [];
  for (const line of runTool('sh', ['-c', script]).split('\n')) {
    if (line === '') continue;
    const [hex, name] = line.split(' ');
    const address = BigInt(`0x${hex}`);
    const last = rows[rows.length - 1];
    if (last !== undefined && last.address === address) last.count++;
    else rows.push({ address, name, count: 1 });
  }
  return rows;
}

test('lookups in /proc/kallsyms name the symbol at and just after its start', () => {
  const index = KallsymsIndex.parse(readFileSync('/proc/kallsyms', 'utf8'));
  assert.equal(index.allZero, false, '/proc/kallsyms shows addresses (run the tests as root, or with kernel.kptr_restrict=0)');
  const rows = referenceRows();
  assert.equal(index.size, rows.length, 'one symbol per distinct address');
  // Symbols alone at their address, with room for start + 1 before the next one.
  const candidates = rows.flatMap((row, i) => (row.count === 1 && (i + 1 === rows.length || rows[i + 1].address > row.address + 1n) ? [i] : []));
  assert.ok(candidates.length > 1000, `${candidates.length} candidate symbols`);
  const step = Math.max(1, Math.floor(candidates.length / 2000));
  const sample = candidates.filter((_, k) => k % step === 0);
  sample.push(candidates[candidates.length - 1]);
  const failures: string[] = [];
  for (const i of sample) {
    const row = rows[i];
    const atStart = index.lookup(row.address)?.name;
    const inside = index.lookup(row.address + 1n)?.name;
    const before = index.lookup(row.address - 1n)?.name ?? null;
    if (atStart !== row.name || inside !== row.name) failures.push(`${row.address.toString(16)} ${row.name}: got ${atStart}, ${inside}`);
    if (i > 0 && before === row.name) failures.push(`${row.address.toString(16)} ${row.name}: also found just before its start`);
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${sample.length} lookups failed`);
  assert.equal(index.lookup(rows[0].address - 1n), null, 'nothing below the first symbol');
});

test('an address in the padding before a kernel function (its __pfx_ symbol) names that function', () => {
  const text = [
    'ffffffff81000000 T start_kernel',
    'ffffffff81000100 t __pfx_ext4_file_mmap_prepare',
    'ffffffff81000110 t ext4_file_mmap_prepare',
    'ffffffff81000200 t __pfx_gone',
    'ffffffff81000210 t other',
    '',
  ].join('\n');
  const index = KallsymsIndex.parse(text);
  // The table itself keeps the padding symbol; a frame there is the function's.
  assert.equal(index.lookup(0xffffffff8100010fn)?.name, '__pfx_ext4_file_mmap_prepare');
  assert.equal(index.functionAt(0xffffffff8100010fn)?.name, 'ext4_file_mmap_prepare');
  assert.equal(index.functionAt(0xffffffff8100010fn)?.address, 0xffffffff81000110n);
  assert.equal(index.functionAt(0xffffffff81000110n)?.name, 'ext4_file_mmap_prepare');
  assert.equal(index.functionAt(0xffffffff810000ffn)?.name, 'start_kernel');
  // Padding followed by another function stays as it is.
  assert.equal(index.functionAt(0xffffffff81000205n)?.name, '__pfx_gone');
  const kallsymsPath = join(artifactDir('kallsyms-padding'), 'kallsyms');
  writeFileSync(kallsymsPath, text);
  const resolver = createKernelResolver({ recordedBuildId: null, allowWithoutBuildId: true, kallsymsPath });
  assert.equal(resolver.resolve(0xffffffff8100010fn).frames[0]?.name, 'ext4_file_mmap_prepare');
});

test("this kernel's build-id is the one perf reports", () => {
  const ours = readKernelBuildId();
  const perf = runTool('perf', ['buildid-list', '-k']).trim();
  assert.match(perf, /^[0-9a-f]{16,}$/);
  assert.equal(ours, perf);
});

test('the resolver names kernel frames only for a recording of this kernel', () => {
  const buildId = readKernelBuildId();
  assert.ok(buildId !== null);
  const rows = referenceRows();
  const row = rows.find((r, i) => r.count === 1 && i + 1 < rows.length && rows[i + 1].address > r.address + 16n);
  assert.ok(row !== undefined);
  const named = { frames: [{ name: row.name, file: null, line: -1 }] };
  const unknown = { frames: [{ name: UNKNOWN_KERNEL_FRAME, file: null, line: -1 }] };

  const matching = createKernelResolver({ recordedBuildId: buildId.toUpperCase() });
  assert.equal(matching.active, true);
  assert.equal(matching.warning, null);
  assert.deepEqual(matching.resolve(row.address + 8n), named);
  assert.deepEqual(matching.resolve(rows[0].address - 1n), unknown, 'an address below every symbol is [kernel]');

  const other = 'ab'.repeat(20);
  const mismatch = createKernelResolver({ recordedBuildId: other });
  assert.equal(mismatch.active, false);
  assert.deepEqual(mismatch.resolve(row.address), unknown);
  assert.ok(mismatch.warning?.includes(other) && mismatch.warning.includes(buildId), mismatch.warning ?? '');

  const noBuildId = createKernelResolver({ recordedBuildId: null });
  assert.equal(noBuildId.active, false);
  assert.deepEqual(noBuildId.resolve(row.address), unknown);
  assert.match(noBuildId.warning ?? '', /no kernel build-id/);
  assert.deepEqual(createKernelResolver({ recordedBuildId: null, allowWithoutBuildId: true }).resolve(row.address), named);
});

test('kallsyms with hidden addresses (kptr_restrict) gives [kernel] and says why', () => {
  const dir = artifactDir('kallsyms');
  // This machine's kallsyms as an unprivileged reader sees it under kptr_restrict: every address 0.
  const lines = readFileSync('/proc/kallsyms', 'utf8').split('\n').slice(0, 5000);
  const hidden = lines.map((line) => line.replace(/^[0-9a-f]+/, (hex) => '0'.repeat(hex.length))).join('\n');
  const kallsymsPath = join(dir, 'kallsyms');
  const kptrRestrictPath = join(dir, 'kptr_restrict');
  writeFileSync(kallsymsPath, hidden);
  writeFileSync(kptrRestrictPath, '1\n');
  assert.equal(KallsymsIndex.parse(hidden).allZero, true);
  const resolver = createKernelResolver({ recordedBuildId: null, allowWithoutBuildId: true, kallsymsPath, kptrRestrictPath });
  assert.equal(resolver.active, false);
  assert.equal(resolver.warning?.startsWith(`kernel symbols hidden: ${kptrRestrictPath} is 1`), true, resolver.warning ?? '');
  assert.deepEqual(resolver.resolve(0xffffffff81000000n), { frames: [{ name: UNKNOWN_KERNEL_FRAME, file: null, line: -1 }] });

  const missing = createKernelResolver({ recordedBuildId: null, allowWithoutBuildId: true, kallsymsPath: join(dir, 'absent') });
  assert.equal(missing.active, false);
  assert.match(missing.warning ?? '', /cannot read .*absent \(ENOENT\)/);
});
