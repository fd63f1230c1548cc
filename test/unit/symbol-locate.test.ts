/**
 * Finding binaries and debug info (locate.ts) and resolving through them
 * (binary-resolver.ts), on binaries compiled, stripped and split now:
 * .gnu_debuglink (next to the binary, in .debug/, under the debug dir, with
 * its CRC checked), the /usr/lib/debug/.build-id layout, perf's ~/.debug
 * build-id cache (current and old layout), build-id mismatches, missing
 * binaries, debuginfod against a local server, a shared library, and libc.
 *
 * The reference for "resolved through a split debug file" is the same
 * resolver on the unsplit binary, which dwarf-inline.test.ts compares with
 * addr2line: the frames must be identical.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import * as zlib from 'node:zlib';
import { createBinaryResolver } from '../../src-main/symbols/binary-resolver';
import { crc32, fileCrc32 } from '../../src-main/symbols/crc32';
import { debuginfodCachePath, debuginfodUrl, parseDebuginfodUrls } from '../../src-main/symbols/debuginfod';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import type { BinaryRef, ResolvedAddress } from '../../src-main/symbols/types';
import { addr2line, nm } from '../helpers/binutils';
import { artifactDir, compileCached, runTool } from '../helpers/compile';

const work = artifactDir('locate');
const original = compileCached('cpu_hot-locate', { sources: ['cpu_hot.c'], flags: ['-O2', '-g', '-fno-omit-frame-pointer'] });
const buildId = (() => {
  const elf = ElfFile.open(original);
  const id = elf.buildId();
  elf.close();
  assert.ok(id, 'gcc links with a build-id');
  return id;
})();

/** File offsets of every function start, by the importer's formula over PT_LOAD. */
function functionOffsets(path: string): { name: string; offset: number; address: number }[] {
  const elf = ElfFile.open(path);
  const out: { name: string; offset: number; address: number }[] = [];
  for (const s of nm(path)) {
    if (!'Tt'.includes(s.type)) continue;
    const seg = elf.segments.find((p) => p.type === 1 && s.address >= p.vaddr && s.address < p.vaddr + p.filesz);
    if (seg) out.push({ name: s.name, address: s.address, offset: s.address - seg.vaddr + seg.offset });
  }
  elf.close();
  return out;
}

const offsets = functionOffsets(original).map((f) => f.offset);
const options = (extra: Parameters<typeof createBinaryResolver>[0] = {}) => ({ debuginfodUrls: [], debugDirs: [], homeDir: join(work, 'no-home'), ...extra });

function resolve(ref: BinaryRef, extra: Parameters<typeof createBinaryResolver>[0] = {}): { results: ResolvedAddress[]; located: ReturnType<ReturnType<typeof createBinaryResolver>['locate']>; warnings: string[] } {
  const warnings: string[] = [];
  const resolver = createBinaryResolver(options({ ...extra, warn: (w) => warnings.push(w) }));
  const results = resolver.resolveFileOffsets(ref, offsets);
  const located = resolver.locate(ref);
  resolver.dispose();
  return { results, located, warnings };
}

const reference = resolve({ path: original, buildId }).results;

/** A stripped copy with its debug info split off, in a fresh directory. */
function splitBinary(name: string, options: { debuglink: boolean }): { dir: string; binary: string; debug: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, 'app');
  const debug = join(dir, 'app.debug');
  runTool('objcopy', ['--only-keep-debug', original, debug]);
  runTool('objcopy', ['--strip-all', original, binary]);
  if (options.debuglink) runTool('objcopy', [`--add-gnu-debuglink=${debug}`, binary]);
  return { dir, binary, debug };
}

test('the unsplit binary resolves every function start with a line (the reference)', () => {
  assert.ok(reference.length > 5);
  // The fixture's own functions have lines (the C runtime's start-up code has none).
  const named = reference.filter((r) => /^(work_|publish|main|round_of_work)/.test(r.frames.at(-1)?.name ?? ''));
  assert.ok(named.length >= 5, JSON.stringify(reference));
  for (const r of named) assert.ok(r.frames.at(-1)?.line !== -1 && r.frames.at(-1)?.file, JSON.stringify(r));
});

test('.gnu_debuglink next to the binary, in .debug/, and under the debug dir; the CRC is checked', () => {
  const { dir, binary, debug } = splitBinary('debuglink', { debuglink: true });
  const link = ElfFile.open(binary).debugLink();
  assert.equal(link?.file, 'app.debug');
  assert.equal(fileCrc32(debug), link?.crc, 'our CRC-32 of the debug file is the one objcopy recorded');

  const next = resolve({ path: binary, buildId });
  assert.equal(next.located.debugPath, debug);
  assert.deepEqual(next.results, reference);

  mkdirSync(join(dir, '.debug'));
  copyFileSync(debug, join(dir, '.debug', 'app.debug'));
  const moved = join(dir, 'moved.debug');
  copyFileSync(debug, moved);
  runTool('rm', [debug]);
  const sub = resolve({ path: binary, buildId });
  assert.equal(sub.located.debugPath, join(dir, '.debug', 'app.debug'));
  assert.deepEqual(sub.results, reference);

  runTool('rm', ['-r', join(dir, '.debug')]);
  const debugDir = join(work, 'global-debug');
  mkdirSync(join(debugDir, dir), { recursive: true });
  copyFileSync(moved, join(debugDir, dir, 'app.debug'));
  const global = resolve({ path: binary, buildId }, { debugDirs: [debugDir] });
  assert.equal(global.located.debugPath, join(debugDir, dir, 'app.debug'));
  assert.deepEqual(global.results, reference);

  // A debug file that does not have the recorded CRC is refused, with a warning.
  copyFileSync(moved, join(dir, 'app.debug'));
  appendFileSync(join(dir, 'app.debug'), 'x');
  const wrong = resolve({ path: binary, buildId: null });
  assert.equal(wrong.located.debugPath, null);
  assert.ok(wrong.warnings.some((w) => w.includes('CRC-32')), wrong.warnings.join('\n'));
});

test('/usr/lib/debug/.build-id layout (in a temporary debug dir)', () => {
  const { binary, debug } = splitBinary('buildid-dir', { debuglink: false });
  const debugDir = join(work, 'buildid-debug');
  const target = join(debugDir, '.build-id', buildId.slice(0, 2), `${buildId.slice(2)}.debug`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(debug, target);
  const found = resolve({ path: binary, buildId }, { debugDirs: [debugDir] });
  assert.equal(found.located.debugPath, target);
  assert.deepEqual(found.results, reference);
  // Without it: only the stripped binary, no symbols at all (strip --strip-all) and no lines.
  const without = resolve({ path: binary, buildId });
  assert.equal(without.located.debugPath, null);
  for (const r of without.results) assert.ok(r.frames.length === 1 && r.frames[0].line === -1);
});

test("perf's ~/.debug build-id cache, current and old layout; a binary rebuilt since is refused", () => {
  const recorded = '/nonexistent/heatline/app';
  // Current: .build-id/ab/cdef… -> ../../<path>/<build-id>/ holding elf (what perf buildid-cache -a makes).
  const home = join(work, 'home-new');
  const entry = join(home, '.debug', recorded, buildId);
  mkdirSync(entry, { recursive: true });
  copyFileSync(original, join(entry, 'elf'));
  mkdirSync(join(home, '.debug', '.build-id', buildId.slice(0, 2)), { recursive: true });
  symlinkSync(join('..', '..', recorded, buildId), join(home, '.debug', '.build-id', buildId.slice(0, 2), buildId.slice(2)));
  const current = resolve({ path: recorded, buildId }, { homeDir: home });
  assert.equal(current.located.binaryPath, join(home, '.debug', '.build-id', buildId.slice(0, 2), buildId.slice(2), 'elf'));
  assert.deepEqual(current.results, reference);

  // Old: .build-id/ab/cdef… is the file itself.
  const oldHome = join(work, 'home-old');
  mkdirSync(join(oldHome, '.debug', '.build-id', buildId.slice(0, 2)), { recursive: true });
  copyFileSync(original, join(oldHome, '.debug', '.build-id', buildId.slice(0, 2), buildId.slice(2)));
  assert.deepEqual(resolve({ path: recorded, buildId }, { homeDir: oldHome }).results, reference);

  // The recorded path holds a different build: not used; the cache has the right one.
  const other = compileCached('cpu_hot-other', { sources: ['cpu_hot.c'], flags: ['-O1', '-g'] });
  const mismatch = resolve({ path: other, buildId }, { homeDir: home });
  assert.ok(mismatch.warnings.some((w) => w.includes('is not the recorded')), mismatch.warnings.join('\n'));
  assert.deepEqual(mismatch.results, reference);
});

test('a missing binary gives <name>+0x<offset> frames, never empty ones', () => {
  const { results, located, warnings } = resolve({ path: '/nonexistent/lib/libgone.so.1', buildId: 'ab'.repeat(20) });
  assert.deepEqual(located, { binaryPath: null, debugPath: null });
  assert.equal(results.length, offsets.length);
  results.forEach((r, i) => assert.deepEqual(r.frames, [{ name: `libgone.so.1+0x${offsets[i].toString(16)}`, file: null, line: -1 }]));
  assert.equal(warnings.length, 1);
  // A malformed build-id from a recording never reaches a path.
  const bad = resolve({ path: '/nonexistent/x', buildId: '../../etc/passwd' });
  assert.ok(bad.warnings.some((w) => w.includes('malformed build-id')));
});

test('a shared library: file offsets map through its PT_LOAD segments; names and lines agree with nm and addr2line', () => {
  const lib = compileCached('libinline.so', { sources: ['inline_cpp.cpp'], flags: ['-O2', '-g', '-fPIC', '-shared', '-fno-omit-frame-pointer'] });
  const functions = functionOffsets(lib);
  const resolver = createBinaryResolver(options());
  const results = resolver.resolveFileOffsets({ path: lib, buildId: null }, functions.map((f) => f.offset));
  const a2l = addr2line(lib, functions.map((f) => f.address));
  const namesAt = new Map<number, string[]>();
  // Names are demangled as perf shows them; binutils' demangler (nm -C) is the reference.
  for (const s of nm(lib, { demangle: true })) namesAt.set(s.address, [...(namesAt.get(s.address) ?? []), s.name]);
  functions.forEach((f, i) => {
    const frames = results[i].frames;
    assert.ok(namesAt.get(f.address)?.includes(frames.at(-1)?.name ?? ''), `${f.name}: ${frames.at(-1)?.name}`);
    assert.equal(frames[0].line, a2l[i][0].line || -1, f.name);
    assert.equal(frames.length, a2l[i].length, f.name);
  });
  resolver.dispose();
});

test('libc without its debug file: .dynsym names at every exported function', () => {
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  const functions = functionOffsetsDynamic(libc);
  const resolver = createBinaryResolver(options());
  const results = resolver.resolveFileOffsets({ path: libc, buildId: null }, functions.map((f) => f.offset));
  assert.equal(resolver.locate({ path: libc, buildId: null }).debugPath, null);
  const namesAt = new Map<number, string[]>();
  for (const s of nm(libc, { dynamic: true })) namesAt.set(s.address, [...(namesAt.get(s.address) ?? []), s.name]);
  let checked = 0;
  functions.forEach((f, i) => {
    const name = results[i].frames.at(-1)?.name ?? '';
    assert.ok(namesAt.get(f.address)?.includes(name), `0x${f.address.toString(16)}: ${name} not among ${namesAt.get(f.address)?.join(', ')}`);
    checked++;
  });
  assert.ok(checked > 1000);
  resolver.dispose();
});

function functionOffsetsDynamic(path: string): { offset: number; address: number }[] {
  const elf = ElfFile.open(path);
  const out: { offset: number; address: number }[] = [];
  for (const s of nm(path, { dynamic: true })) {
    if (!'TtWi'.includes(s.type)) continue;
    const seg = elf.segments.find((p) => p.type === 1 && p.flags & 1 && s.address >= p.vaddr && s.address < p.vaddr + p.filesz);
    if (seg) out.push({ address: s.address, offset: s.address - seg.vaddr + seg.offset });
  }
  elf.close();
  return out;
}

test('CRC-32: the table-driven fallback equals zlib', () => {
  const data = Buffer.alloc(100_003);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
  const reference = (zlib as { crc32?: (d: Uint8Array) => number }).crc32?.(data);
  const ours = crc32(data, 0, false);
  if (reference !== undefined) assert.equal(ours, reference >>> 0);
  assert.equal(crc32(data.subarray(50_000), crc32(data.subarray(0, 50_000), 0, false), false), ours, 'CRCs continue across chunks');
  assert.equal(crc32(Buffer.from('123456789'), 0, false), 0xcbf43926, 'the standard check value');
});

// debuginfod against a server in a child process: the resolver blocks this
// thread while it downloads, so the server cannot run on it.
let server: ChildProcess | null = null;
after(() => server?.kill());

function startServer(files: Record<string, string>): Promise<{ url: string; requests: () => string[] }> {
  const script = `
const http = require('node:http');
const fs = require('node:fs');
const files = ${JSON.stringify(files)};
const server = http.createServer((req, res) => {
  process.stdout.write('REQ ' + req.url + '\\n');
  const file = files[req.url];
  if (!file) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write('PORT ' + server.address().port + '\\n'));
`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  server = child;
  const requests: string[] = [];
  return new Promise((resolvePort, reject) => {
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      buffer += text;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('PORT ')) resolvePort({ url: `http://127.0.0.1:${line.slice(5)}`, requests: () => requests });
        if (line.startsWith('REQ ')) requests.push(line.slice(4));
      }
    });
    child.on('error', reject);
  });
}

const settle = () => new Promise((r) => setTimeout(r, 200));

test('debuginfod: URLs, the cache path, downloads, 404s and the cache on the next run', async () => {
  assert.deepEqual(parseDebuginfodUrls(' https://a.example/ http://b.example/debuginfod  ftp://no '), ['https://a.example', 'http://b.example/debuginfod']);
  assert.equal(debuginfodUrl('https://a.example/', buildId, 'debuginfo'), `https://a.example/buildid/${buildId}/debuginfo`);

  const { debug } = splitBinary('debuginfod-src', { debuglink: false });
  const recorded = '/nonexistent/heatline/served-app';
  const { url, requests } = await startServer({ [`/buildid/${buildId}/executable`]: original, [`/buildid/${buildId}/debuginfo`]: debug });
  const home = join(work, 'home-debuginfod');
  const cacheDir = join(home, '.cache', 'heatline', 'debuginfod');
  const served = resolve({ path: recorded, buildId }, { homeDir: home, debuginfodUrls: [url] });
  assert.equal(served.located.binaryPath, debuginfodCachePath(cacheDir, buildId, 'executable'));
  assert.equal(served.located.binaryPath, join(home, '.cache', 'heatline', 'debuginfod', buildId, 'executable'));
  assert.deepEqual(served.results, reference);
  await settle(); // the server's log lines arrive once this thread stops blocking
  assert.ok(requests().includes(`/buildid/${buildId}/executable`), requests().join(' '));
  assert.deepEqual(readFileSync(join(cacheDir, buildId, 'executable')), readFileSync(original));

  // The stripped binary on disk, its debug info from the server.
  const { binary } = splitBinary('debuginfod-stripped', { debuglink: false });
  const split = resolve({ path: binary, buildId }, { homeDir: join(work, 'home-debuginfod-2'), debuginfodUrls: [url] });
  assert.equal(split.located.debugPath, join(work, 'home-debuginfod-2', '.cache', 'heatline', 'debuginfod', buildId, 'debuginfo'));
  assert.deepEqual(split.results, reference);

  // An id the server does not have: a 404, offsets, no crash.
  const unknownId = 'cd'.repeat(20);
  const missing = resolve({ path: '/nonexistent/other', buildId: unknownId }, { homeDir: home, debuginfodUrls: [url] });
  await settle();
  assert.ok(requests().includes(`/buildid/${unknownId}/executable`), requests().join(' '));
  assert.match(missing.results[0].frames[0].name, /^other\+0x/);

  // Next run, server gone: the cache answers.
  server?.kill();
  const cached = resolve({ path: recorded, buildId }, { homeDir: home, debuginfodUrls: [url] });
  assert.deepEqual(cached.results, reference);
  assert.ok(existsSync(debuginfodCachePath(cacheDir, buildId, 'executable')));
  assert.equal(basename(cacheDir), 'debuginfod');
});
