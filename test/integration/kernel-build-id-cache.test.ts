/**
 * Kernel frames of a recording made under another kernel: named from the
 * copy of that kernel's kallsyms that `perf record` keeps in its build-id
 * cache (~/.debug/[kernel.kallsyms]/BUILD-ID/kallsyms, which `perf archive`
 * carries to another machine), as perf report names them.
 *
 * perf records here with HOME set to a directory of the test's, so the cache
 * it fills is that directory's. "Another kernel" is this machine with its
 * kernel notes replaced by a file naming another build-id (or absent, as on
 * a Mac) and /proc/kallsyms out of reach; the names expected are perf
 * script's for the same file, on this (the recording's) kernel.
 *
 * Kernel addresses move between boots (KASLR): a copy of kallsyms from
 * another boot is perf's copy with every core-kernel address moved by the
 * same amount, and the importer must relocate it by where the recording
 * says the kernel's _text was (its MMAP of [kernel.kallsyms]_text), as perf
 * does.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPerfData } from '../../src-main/import/perf-data';
import { fileSource } from '../../src-main/import/source';
import { FuncKind } from '../../src-shared/profile/model';
import { createKernelResolver, UNKNOWN_KERNEL_FRAME } from '../../src-main/symbols/kernel';
import { artifactDir } from '../helpers/compile';
import { compileFixture } from '../helpers/perf';

/** perf with HOME (and so its build-id cache, ~/.debug) in `home`; stdout. */
function perfIn(home: string, args: string[]): string {
  const result = spawnSync('perf', args, { env: { ...process.env, HOME: home }, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(result.status, 0, `perf ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** ELF notes holding one GNU build-id: what /sys/kernel/notes is for a kernel with that id. */
function buildIdNotes(buildId: string): Buffer {
  const id = Buffer.from(buildId, 'hex');
  const header = Buffer.alloc(12);
  header.writeUInt32LE(4, 0);
  header.writeUInt32LE(id.length, 4);
  header.writeUInt32LE(3, 8); // NT_GNU_BUILD_ID
  return Buffer.concat([header, Buffer.from('GNU\0'), id, Buffer.alloc((4 - (id.length % 4)) % 4)]);
}

interface Recording {
  dir: string;
  home: string;
  data: string;
  kernelId: string;
  /** Every kernel frame of every call chain, as perf script names it on the recording's own kernel. */
  named: Map<bigint, string>;
}

let recorded: Recording | null = null;

/** syscall_threads recorded with -g, perf's build-id cache in a home of the test's; made once. */
async function recording(): Promise<Recording> {
  if (recorded) return recorded;
  const dir = artifactDir('kernel-build-id-cache');
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const binary = await compileFixture('syscall_threads');
  const data = join(dir, 'syscalls.perf.data');
  perfIn(home, ['record', '-q', '-g', '-F', '2000', '-o', data, '--', binary, '20000']);

  const kernelId = perfIn(home, ['buildid-list', '-i', data]).split('\n').find((line) => line.endsWith(' [kernel.kallsyms]'))?.split(' ')[0];
  assert.ok(kernelId, 'perf buildid-list names the kernel');
  assert.ok(existsSync(join(home, '.debug', '[kernel.kallsyms]', kernelId, 'kallsyms')), 'perf record kept a copy of kallsyms in the build-id cache');

  const named = new Map<bigint, string>();
  for (const line of perfIn(home, ['script', '-i', data, '-F', 'ip,sym,dso']).split('\n')) {
    const match = /^\s*([0-9a-f]+) (\S+) \(\[kernel\.kallsyms\]\)$/.exec(line);
    if (match && match[2] !== '[unknown]') named.set(BigInt(`0x${match[1]}`), match[2]);
  }
  assert.ok(named.size >= 5, `perf script shows kernel frames (${named.size})`);
  recorded = { dir, home, data, kernelId, named };
  return recorded;
}

test("a recording of another kernel gets its kernel frames' names from perf's build-id cache", async () => {
  const { dir, home, kernelId, named } = await recording();

  const otherKernel = join(dir, 'other-kernel-notes');
  writeFileSync(otherKernel, buildIdNotes([...kernelId].reverse().join('')));
  for (const notesPath of [otherKernel, join(dir, 'no-notes-here')]) {
    const resolver = createKernelResolver({ recordedBuildId: kernelId, notesPath, kallsymsPath: join(dir, 'no-proc-kallsyms'), homeDir: home });
    assert.equal(resolver.warning, null, `with ${notesPath}`);
    const differ = [...named].filter(([address, name]) => resolver.resolve(address).frames[0]?.name !== name);
    assert.deepEqual(differ.slice(0, 5), [], `${differ.length} of ${named.size} kernel frames named otherwise than by perf script`);
  }

  const emptyHome = join(dir, 'empty-home');
  mkdirSync(emptyHome, { recursive: true });
  const without = createKernelResolver({ recordedBuildId: kernelId, notesPath: otherKernel, homeDir: emptyHome });
  assert.equal(without.active, false);
  assert.match(without.warning ?? '', /is not the running kernel .* ~\/\.debug has no copy of its kallsyms/);
  assert.deepEqual(without.resolve([...named.keys()][0]).frames[0].name, UNKNOWN_KERNEL_FRAME);
});

test('kallsyms of another boot (the kernel moved) is relocated by the recorded _text, in the importer as perf does', async () => {
  const { dir, home, data, kernelId, named } = await recording();
  // The recorded kernel's map, as perf prints it: its pgoff is where the reference symbol was.
  const mmap = /PERF_RECORD_MMAP -1\/0: \[0x[0-9a-f]+\(0x[0-9a-f]+\) @ 0x([0-9a-f]+)\]: x \[kernel\.kallsyms\](\w+)/.exec(perfIn(home, ['script', '-i', data, '--show-mmap-events']));
  assert.ok(mmap, 'perf script shows the kernel map');
  const reference = { symbol: mmap[2], address: BigInt(`0x${mmap[1]}`) };

  // The same kernel booted elsewhere: every core-kernel address 0x2000000 higher (KASLR moves the whole text).
  const moved = join(dir, 'moved-home');
  const movedDir = join(moved, '.debug', '[kernel.kallsyms]', kernelId);
  mkdirSync(movedDir, { recursive: true });
  const shift = 0x2000000n;
  const original = readFileSync(join(home, '.debug', '[kernel.kallsyms]', kernelId, 'kallsyms'), 'utf8');
  writeFileSync(
    join(movedDir, 'kallsyms'),
    original.replace(/^([0-9a-f]{16}) (?=[^\n]*$)/gm, (_, hex: string) => `${(BigInt(`0x${hex}`) + shift).toString(16).padStart(16, '0')} `),
  );
  const otherKernel = join(dir, 'other-kernel-notes');
  const options = { recordedBuildId: kernelId, notesPath: otherKernel, kallsymsPath: join(dir, 'no-proc-kallsyms'), homeDir: moved };
  const names = (resolver: ReturnType<typeof createKernelResolver>) => [...named.keys()].map((address) => resolver.resolve(address).frames[0]?.name);

  assert.notDeepEqual(names(createKernelResolver(options)), [...named.values()], 'unrelocated, the moved copy names other functions');
  assert.deepEqual(names(createKernelResolver({ ...options, reference })), [...named.values()]);

  // Through the importer: the reader finds the kernel map and symbolization relocates by it.
  const { profile } = await readPerfData(await fileSource(data), {}, {
    symbols: () => ({
      kernel: {
        resolveKernelAddresses: (addresses, buildId, recordedReference) => {
          const resolver = createKernelResolver({ ...options, recordedBuildId: buildId, reference: recordedReference ?? null });
          return addresses.map((address) => resolver.resolve(address));
        },
      },
    }),
  });
  const kernelFunctions = new Set(Array.from(profile.funcs.name).flatMap((name, func) => (profile.funcs.kind[func] === FuncKind.kernel ? [profile.strings[name]] : [])));
  const expected = new Set(named.values());
  assert.deepEqual([...expected].filter((name) => !kernelFunctions.has(name)), [], "every kernel function perf script names is one of the profile's");
});
