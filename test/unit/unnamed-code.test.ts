/**
 * Code nothing names, in DHAT's and heaptrack's formats: valgrind writes
 * `0x49037B9: ??? (in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30)`; the
 * row says which binary it is in, not just a bare address.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameName, parseValgrindFrame } from '../../src-main/import/dhat/frames';
import { unnamedCodeName } from '../../src-main/import/unnamed-code';

test('an unnamed frame is its binary and address; without a binary, the address', () => {
  assert.equal(frameName(parseValgrindFrame('0x49037B9: ??? (in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30)'), '?'), 'libstdc++.so.6.0.30@0x49037b9');
  assert.equal(frameName(parseValgrindFrame('0x4005F4: ???'), '?'), '0x4005f4');
  assert.equal(frameName(parseValgrindFrame('0x4005F4: main (prog.c:12)'), '?'), 'main');
  assert.equal(unnamedCodeName(0x7ff3af8a57b9, '/usr/lib/x86_64-linux-gnu/libstdc++.so.6'), 'libstdc++.so.6@0x7ff3af8a57b9');
  assert.equal(unnamedCodeName(0x10, null), '0x10');
});
