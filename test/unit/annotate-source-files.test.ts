/**
 * SourceAccess: the host reads only files the profile names or the user
 * picked, whatever spelling a caller tries; remaps find a moved tree.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import { remapFromPick, remappedPaths } from '../../src-main/source/remaps';
import { describeMissing, SourceAccess } from '../../src-main/source/source-files';

const root = mkdtempSync(join(tmpdir(), 'heatline-source-'));
after(() => rmSync(root, { recursive: true, force: true }));

const srcDir = join(root, 'proj', 'src');
mkdirSync(srcDir, { recursive: true });
const appC = join(srcDir, 'app.c');
writeFileSync(appC, 'int main(void) { return 0; }\n');
const secret = join(root, 'secret.txt');
writeFileSync(secret, 'not for the window\n');

test('a file the profile names is read; the profile is the source of the allow-list', async () => {
  const b = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: false });
  b.func('main', { file: appC });
  b.func('kfunc');
  const access = SourceAccess.fromProfile(b.finish());
  const read = await access.read(appC);
  assert.equal(read.kind, 'found');
  assert.equal(read.kind === 'found' ? read.text : '', 'int main(void) { return 0; }\n');
  assert.equal((await access.read(`${srcDir}/./app.c`)).kind, 'found', 'another spelling of the same path');
});

test('anything outside the set is refused: absolute paths, .. tricks, siblings, folders', async () => {
  const access = new SourceAccess([appC]);
  for (const path of ['/etc/passwd', secret, `${srcDir}/../../secret.txt`, `${appC}/../../../secret.txt`, srcDir, `${appC}x`, '']) {
    const read = await access.read(path);
    assert.equal(read.kind, 'refused', path);
  }
  assert.match(describeMissing({ kind: 'refused', path: '/etc/passwd' }), /^\/etc\/passwd: refused/);
});

test('a named path with .. in it is allowed only as what it resolves to', async () => {
  const access = new SourceAccess([`${srcDir}/../src/app.c`]);
  assert.equal((await access.read(appC)).kind, 'found');
  assert.equal((await access.read(secret)).kind, 'refused');
});

test('a picked file becomes readable; picks must be absolute', async () => {
  const access = new SourceAccess([]);
  assert.equal((await access.read(secret)).kind, 'refused');
  access.allowPicked(secret);
  assert.equal((await access.read(secret)).kind, 'found');
  assert.throws(() => access.allowPicked('secret.txt'), /absolute/);
});

test('remaps: tried after the debug path, in order; not found lists every path tried', async () => {
  const moved = join(root, 'moved');
  mkdirSync(join(moved, 'src'), { recursive: true });
  writeFileSync(join(moved, 'src', 'gone.c'), 'moved\n');
  const gone = join(root, 'proj', 'src', 'gone.c');
  const access = new SourceAccess([gone], [
    { from: join(root, 'nowhere'), to: join(root, 'x') },
    { from: join(root, 'proj'), to: join(root, 'elsewhere') },
    { from: join(root, 'proj'), to: moved },
  ]);
  const read = await access.read(gone);
  assert.equal(read.kind, 'found');
  assert.equal(read.kind === 'found' ? read.readFrom : '', join(moved, 'src', 'gone.c'));

  access.setRemaps([]);
  const missing = await access.read(gone);
  assert.deepEqual(missing, { kind: 'not-found', path: gone, tried: [gone] });
  assert.equal(describeMissing({ kind: 'not-found', path: gone, tried: [gone] }), `${gone}: source not found (tried ${gone}; a remap can point to where the sources are)`);
});

test('a relative debug path is read only through a remap, never from the working folder', async () => {
  const access = new SourceAccess(['./src/../src/app.c']);
  assert.deepEqual(await access.read('src/app.c'), { kind: 'not-found', path: 'src/app.c', tried: [] });
  access.setRemaps([{ from: 'src', to: srcDir }]);
  assert.equal((await access.read('src/app.c')).kind, 'found');
});

test('only regular files are read: a named folder or symlink to one gives not found', async () => {
  const link = join(root, 'link-to-folder.c');
  symlinkSync(srcDir, link);
  const access = new SourceAccess([link, srcDir]);
  assert.equal((await access.read(link)).kind, 'not-found');
  assert.equal((await access.read(srcDir)).kind, 'not-found');
});

test('remappedPaths matches whole components and never climbs out of the target', () => {
  assert.deepEqual(remappedPaths('/build/app/x.c', [{ from: '/build', to: '/home/me' }]), ['/home/me/app/x.c']);
  assert.deepEqual(remappedPaths('/buildx/app/x.c', [{ from: '/build', to: '/home/me' }]), []);
  assert.deepEqual(remappedPaths('/build/app/x.c', [{ from: '/build/', to: '/home/me/' }]), ['/home/me/app/x.c']);
  assert.deepEqual(remappedPaths('../x.c', [{ from: '..', to: '/home/me' }]), ['/home/me/x.c']);
  assert.deepEqual(remappedPaths('../../etc/passwd', [{ from: '..', to: '/home/me' }]), [], 'the rest starts with ..');
  assert.deepEqual(remappedPaths('/build/x.c', [{ from: '/build', to: 'relative' }]), [], 'a relative target is ignored');
  assert.deepEqual(remappedPaths('x.c', [{ from: '.', to: '/home/me' }]), ['/home/me/x.c'], '. takes relative paths');
  assert.deepEqual(remappedPaths('/x.c', [{ from: '.', to: '/home/me' }]), [], 'but not absolute ones');
  assert.deepEqual(remappedPaths('../x.c', [{ from: '.', to: '/home/me' }]), [], 'nor ones that climb out');
});

test('remapFromPick: the shared tail is the layout, the heads are the remap', () => {
  assert.deepEqual(remapFromPick('/build/app/src/x.c', '/home/me/app/src/x.c'), { from: '/build', to: '/home/me' });
  assert.deepEqual(remapFromPick('/a/x.c', '/b/c/x.c'), { from: '/a', to: '/b/c' });
  assert.equal(remapFromPick('/a/x.c', '/a/y.c'), null);
});
