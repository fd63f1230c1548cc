/**
 * The source pane's safety rules and small parsers, on their own:
 *   - what an uploaded profile may make the host read (source-rules.ts);
 *   - a source read takes only regular files, checked on the open handle
 *     (a FIFO does not block it), and nothing past the size cap;
 *   - the binary rule: regular ELF files only, no hidden paths for uploads;
 *   - the remap a Locate… pick implies for relative names, and none for the
 *     named path itself;
 *   - branch targets in objdump lines of x86 and AArch64 (the forms binutils
 *     prints, with comments that name addresses that are not jumped to);
 *   - the identifier a demangled name's mangled form must contain.
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { branchTarget, lastIdentifier, parseObjdump } from '../../src-main/source/disassemble';
import { remapFromPick } from '../../src-main/source/remaps';
import { MAX_SOURCE_BYTES, readSourceText, SourceAccess } from '../../src-main/source/source-files';
import { whyNotBinary, whyNotSource } from '../../src-main/source/source-rules';

const dir = mkdtempSync(join(tmpdir(), 'heatline-source-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an uploaded profile may name only source-looking files', () => {
  for (const path of ['/home/me/proj/src/main.c', '/tmp/build/x.hpp', 'x.c', 'lib/a.rs', '/srv/app/main.go', '/home/me/p/start.S', '/home/me/p/k.cu']) {
    assert.equal(whyNotSource(path), null, path);
  }
  const refused: [string, RegExp][] = [
    ['/etc/passwd', /extension/],
    ['/home/me/.ssh/id_rsa', /extension/],
    ['/home/me/.ssh/config.py', /hidden/],
    ['/home/me/.config/app/settings.js', /hidden/],
    ['/home/me/proj/.env.c', /hidden/],
    ['../outside/x.c', /hidden/],
    ['/proc/self/environ.c', /under \/proc/],
    ['/etc/app/hooks.py', /under \/etc/],
    ['/root/x.c', /under \/root/],
    ['/dev/null.c', /under \/dev/],
    ['/home/me/Makefile', /extension/],
    ['/home/me/notes.txt', /extension/],
  ];
  for (const [path, why] of refused) assert.match(whyNotSource(path) ?? 'allowed', why, path);
});

test('SourceAccess: uploaded profiles read only source-looking named files; picks and profiles opened by path are not limited', async () => {
  const secret = join(dir, 'secret');
  const hidden = join(dir, '.hidden', 'x.c');
  const source = join(dir, 'x.c');
  mkdirSync(join(dir, '.hidden'), { recursive: true });
  for (const file of [secret, hidden, source]) writeFileSync(file, 'int x;\n');

  const uploaded = new SourceAccess([secret, hidden, source], [], 'uploaded');
  assert.equal((await uploaded.read(source)).kind, 'found');
  const read = await uploaded.read(secret);
  assert.equal(read.kind, 'refused');
  assert.match(read.kind === 'refused' ? (read.reason ?? '') : '', /uploaded.*extension/);
  assert.equal((await uploaded.read(hidden)).kind, 'refused');
  assert.deepEqual(uploaded.candidates(secret), [], 'no candidates, so no remap reaches it either');
  uploaded.allowPicked(secret);
  assert.equal((await uploaded.read(secret)).kind, 'found', 'a file the user picked is read');

  // Remaps come from the window too: for an upload they may not aim an allowed name into a hidden folder.
  const remapped = new SourceAccess(['/build/x.c'], [{ from: '/build', to: join(dir, '.hidden') }, { from: '/build', to: dir }], 'uploaded');
  assert.deepEqual(remapped.candidates('/build/x.c'), ['/build/x.c', source]);
  const remappedOpened = new SourceAccess(['/build/x.c'], [{ from: '/build', to: join(dir, '.hidden') }], 'opened-by-path');
  assert.equal((await remappedOpened.read('/build/x.c')).kind === 'found' ? 'found' : 'no', 'found', 'a profile opened by path follows it');

  const opened = new SourceAccess([secret, hidden], [], 'opened-by-path');
  assert.equal((await opened.read(secret)).kind, 'found');
  assert.equal((await opened.read(hidden)).kind, 'found');
});

test('a source read opens without blocking, takes regular files only, and stops at the cap', async (t) => {
  const fifo = join(dir, 'pipe.c');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) {
    t.skip(`mkfifo failed: ${made.stderr.toString()}`);
    return;
  }
  const started = Date.now();
  assert.equal(await readSourceText(fifo), null, 'a FIFO with no writer is no source');
  assert.ok(Date.now() - started < 2000, 'and the open did not wait for a writer');
  assert.equal(await readSourceText(dir), null, 'a folder is no source');

  const big = join(dir, 'big.c');
  writeFileSync(big, Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20));
  assert.equal(await readSourceText(big), null, 'one byte over the cap');
  writeFileSync(big, Buffer.alloc(MAX_SOURCE_BYTES, 0x20));
  assert.equal((await readSourceText(big))?.length, MAX_SOURCE_BYTES, 'exactly the cap is read');

  // A file that grows while it is read: a writer appends as fast as it can; the read never returns more than the cap.
  const growing = join(dir, 'growing.c');
  writeFileSync(growing, 'x');
  const writer = spawn('sh', ['-c', 'exec yes 0123456789abcdef >> "$1"', 'sh', growing], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 20; i++) {
      const text = await readSourceText(growing);
      assert.ok(text === null || text.length <= MAX_SOURCE_BYTES, `read ${text?.length} bytes`);
    }
  } finally {
    writer.kill();
  }
});

test('disassembly takes only regular ELF files; hidden paths only from profiles opened by path', async () => {
  const elf = join(dir, 'prog');
  copyFileSync(process.execPath, elf);
  const hiddenElf = join(dir, '.cache', 'prog');
  mkdirSync(join(dir, '.cache'), { recursive: true });
  copyFileSync(process.execPath, hiddenElf);
  const text = join(dir, 'not-elf');
  writeFileSync(text, 'root:x:0:0:root:/root:/bin/sh\n');

  assert.equal(await whyNotBinary(elf, 'uploaded'), null);
  assert.equal(await whyNotBinary(hiddenElf, 'opened-by-path'), null);
  assert.match((await whyNotBinary(hiddenElf, 'uploaded')) ?? '', /hidden/);
  assert.match((await whyNotBinary(text, 'opened-by-path')) ?? '', /not an ELF file/);
  assert.match((await whyNotBinary(dir, 'opened-by-path')) ?? '', /not a regular file/);
  assert.equal(await whyNotBinary(join(dir, 'missing'), 'uploaded'), null, 'missing: the build-id caches are searched');
});

test('Locate… on a relative name implies a remap from "."; picking the named path itself implies none', () => {
  assert.deepEqual(remapFromPick('x.c', '/home/me/proj/x.c'), { from: '.', to: '/home/me/proj' });
  assert.deepEqual(remapFromPick('src/x.c', '/home/me/proj/src/x.c'), { from: '.', to: '/home/me/proj' });
  assert.deepEqual(remapFromPick('src/x.c', '/home/me/other/x.c'), { from: 'src', to: '/home/me/other' });
  assert.deepEqual(remapFromPick('/build/app/src/x.c', '/home/me/app/src/x.c'), { from: '/build', to: '/home/me' });
  assert.equal(remapFromPick('/home/me/app/x.c', '/home/me/app/x.c'), null, 'no identity remap / → /');
  assert.equal(remapFromPick('/home/me/app/./x.c', '/home/me/app/x.c'), null);
  assert.equal(remapFromPick('x.c', '/home/me/proj/y.c'), null);
});

test('branch targets: the last address operand, after any comment is stripped', () => {
  const cases: [string, number | null][] = [
    // x86-64, binutils AT&T
    ['jne    11f0 <work_40+0x10>', 0x11f0],
    ['jmp    1100 <f>', 0x1100],
    ['call   1030 <puts@plt>', 0x1030],
    ['bnd jmp 1100 <f>', 0x1100],
    ['notrack jmp *%rax', null],
    ['call   *0x2fe2(%rip)        # 4018 <foo@GLIBC_2.2.5>', null],
    ['lea    0xe9c(%rip),%rdi        # 2004 <_IO_stdin_used+0x4>', null],
    ['mov    %rax,%rdx', null],
    // AArch64
    ['cbz x0, 110c <f+0xc>', 0x110c],
    ['cbnz w2, 1120 <f+0x20>', 0x1120],
    ['tbnz w1, #3, 110c <f+0xc>', 0x110c],
    ['b.ne 1100 <f>  // b.any', 0x1100],
    ['bl 1030 <puts@plt>', 0x1030],
    ['ldr x0, [sp, #16]', null],
    // llvm-objdump
    ['jne 0x11f0 <work_40+0x10>', 0x11f0],
  ];
  for (const [text, expected] of cases) assert.equal(branchTarget(text), expected, text);

  const listing = ['0000000000001100 <f>:', 'f():', '/src/f.c:3', '    1100:\tcbz\tx0, 110c <f+0xc>', '    1104:\ttbnz\tw1, #3, 110c <f+0xc>', '    1108:\tbnd jmp 1100 <f>', '    110c:\tret'].join('\n');
  const insns = parseObjdump(listing, (address) => address - 0x1000);
  assert.deepEqual(
    insns.map((i) => i.jumpTargetOffset),
    [0x10c, 0x10c, 0x100, -1],
  );
});

test('the identifier a mangled name must contain for a demangled name to match', () => {
  assert.equal(lastIdentifier('work_40'), 'work_40');
  assert.equal(lastIdentifier('v8::internal::Heap::CollectGarbage'), 'CollectGarbage');
  assert.equal(lastIdentifier('ns::Foo<a::b>::bar(std::string const&) const'), 'bar');
  assert.equal(lastIdentifier('std::vector<int, std::allocator<int> >::push_back(int&&)'), 'push_back');
  assert.equal(lastIdentifier('Foo::~Foo()'), 'Foo');
  assert.equal(lastIdentifier('heap::main'), 'main');
  assert.equal(lastIdentifier('Foo::operator<(Foo const&)'), null);
  assert.equal(lastIdentifier('main::{lambda(int)#1}::operator()(int) const'), null);
  assert.equal(lastIdentifier('f()::{lambda()#1}'), null);
});
