/**
 * The unwinder's own decisions, on synthetic stacks where the answer is
 * known by construction: the x86-64 frame-pointer fallback for code without
 * CFI, and the limits (maxFrames, the fallback switched off, a frame chain
 * that loops). Real CFI unwinding is checked against perf in
 * test/integration/unwind.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REGISTER_FILE_SIZE } from '../../src-main/symbols/unwind/registers';
import { unwindUserStackDetailed, type UnwindInput } from '../../src-main/symbols/unwind/unwind';

const SP = 0x7ffc_0000_1000;

/** A stack copy holding a chain of x86-64 frame records {saved rbp, return address}, each 0x40 bytes above the last. */
function frameChain(returnAddresses: number[], lastSavedBp = 0): { bytes: Uint8Array; firstBp: number } {
  const bytes = new Uint8Array(0x40 * (returnAddresses.length + 2));
  const view = new DataView(bytes.buffer);
  const write = (address: number, value: number) => view.setBigUint64(address - SP, BigInt(value), true);
  returnAddresses.forEach((ra, i) => {
    const bp = SP + 0x40 * (i + 1);
    write(bp, i + 1 < returnAddresses.length ? bp + 0x40 : lastSavedBp);
    write(bp + 8, ra);
  });
  return { bytes, firstBp: SP + 0x40 };
}

function input(bytes: Uint8Array, bp: number, overrides: Partial<UnwindInput> = {}): UnwindInput {
  const regs = new Float64Array(REGISTER_FILE_SIZE).fill(Number.NaN);
  regs[6] = bp; // rbp
  regs[7] = SP; // rsp
  regs[16] = 0x5555_0000_1234; // the sampled ip
  return { arch: 'x86_64', regs, stack: { start: SP, bytes }, findModule: () => null, maxFrames: 64, ...overrides };
}

test('without CFI, x86-64 follows frame pointers while rbp points into the stack copy', () => {
  const ras = [0x5555_0000_2000, 0x5555_0000_3000, 0x7f00_0000_4000];
  const { bytes, firstBp } = frameChain(ras);
  const result = unwindUserStackDetailed(input(bytes, firstBp));
  assert.deepEqual(result.pcs, [0x5555_0000_1234, ...ras]);
  assert.equal(result.framePointerFrames, 3);
  assert.equal(result.stop, 'no-module', 'stops when the saved rbp (0) no longer points into the stack');
});

test('the frame-pointer fallback can be switched off, and maxFrames bounds the chain', () => {
  const { bytes, firstBp } = frameChain([0x5555_0000_2000, 0x5555_0000_3000]);
  const off = unwindUserStackDetailed(input(bytes, firstBp, { framePointerFallback: false }));
  assert.deepEqual(off.pcs, [0x5555_0000_1234]);
  assert.equal(off.stop, 'no-module');
  const bounded = unwindUserStackDetailed(input(bytes, firstBp, { maxFrames: 2 }));
  assert.equal(bounded.pcs.length, 2);
  assert.equal(bounded.stop, 'max-frames');
});

test('a frame chain that points back down the stack stops instead of looping', () => {
  const { bytes, firstBp } = frameChain([0x5555_0000_2000, 0x5555_0000_3000], SP + 0x40); // the last record points to the first
  const result = unwindUserStackDetailed(input(bytes, firstBp));
  assert.deepEqual(result.pcs, [0x5555_0000_1234, 0x5555_0000_2000, 0x5555_0000_3000]);
  assert.equal(result.stop, 'no-module');
});

test('an rbp outside the stack copy, or no sampled ip, gives just what is known', () => {
  const { bytes } = frameChain([0x5555_0000_2000]);
  assert.deepEqual(unwindUserStackDetailed(input(bytes, SP + 0x10_0000)).pcs, [0x5555_0000_1234]);
  const noIp = input(bytes, SP + 0x40);
  noIp.regs[16] = Number.NaN;
  assert.deepEqual(unwindUserStackDetailed(noIp), { pcs: [], interrupted: [], stop: 'no-pc', framePointerFrames: 0 });
});
