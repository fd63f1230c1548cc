import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEnvelope, encodeEnvelope } from '../../src-shared/envelope';

test('typed arrays, NaN and nested values survive the envelope byte for byte', () => {
  const value = {
    name: 'perf.data',
    list: [1, 'two', null, { deep: new Int32Array([-1, 0, 2 ** 31 - 1]) }],
    time: new Float64Array([0.5, NaN, Infinity, -Infinity]),
    flags: new Uint8Array([0, 255, 7]),
    start: NaN,
  };
  const decoded = decodeEnvelope(encodeEnvelope(value)) as typeof value;
  assert.equal(decoded.name, 'perf.data');
  const { deep } = decoded.list[3] as { deep: Int32Array };
  assert.ok(deep instanceof Int32Array);
  assert.deepEqual(Array.from(deep), [-1, 0, 2 ** 31 - 1]);
  assert.ok(decoded.time instanceof Float64Array);
  assert.deepEqual(Array.from(decoded.time), [0.5, NaN, Infinity, -Infinity]);
  assert.deepEqual(Array.from(decoded.flags), [0, 255, 7]);
  assert.ok(Number.isNaN(decoded.start));
  assert.deepEqual(decoded.list.slice(0, 3), [1, 'two', null]);
});

test('a message at an odd offset in a larger buffer still decodes (Node hands out pooled slices)', () => {
  const encoded = encodeEnvelope({ values: new Float64Array([1.25, 2.5]) });
  const pool = new Uint8Array(encoded.byteLength + 3);
  pool.set(encoded, 3);
  const decoded = decodeEnvelope(pool.subarray(3)) as { values: Float64Array };
  assert.deepEqual(Array.from(decoded.values), [1.25, 2.5]);
});

test('subarray views encode only their own bytes', () => {
  const whole = new Int32Array([1, 2, 3, 4, 5]);
  const decoded = decodeEnvelope(encodeEnvelope({ part: whole.subarray(1, 3) })) as { part: Int32Array };
  assert.deepEqual(Array.from(decoded.part), [2, 3]);
});

test('cut or corrupt messages are refused, not misread', () => {
  const encoded = encodeEnvelope({ values: new Float64Array(16) });
  assert.throws(() => decodeEnvelope(encoded.subarray(0, 2)), /too short/);
  assert.throws(() => decodeEnvelope(encoded.subarray(0, 10)), /cut short/);
  assert.throws(() => decodeEnvelope(encoded.subarray(0, encoded.byteLength - 8)), /cut short/);
});
