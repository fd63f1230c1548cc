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

test('the encoder leaves its input alone and keeps JSON semantics: NaN in arrays, __proto__ keys, dates, undefined', () => {
  const strings = ['a', 'b', 'c'];
  const nested = { values: [1, NaN, -Infinity], ids: new Uint32Array([4, 5]) };
  const value = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
  Object.assign(value, { strings, nested, when: new Date(0), gone: undefined, holes: [undefined, 2] });
  const encoded = encodeEnvelope(value);
  // The input is not changed: its arrays and typed arrays are still there.
  assert.equal(value.strings, strings);
  assert.ok(nested.ids instanceof Uint32Array);
  assert.deepEqual(nested.values, [1, NaN, -Infinity]);
  const decoded = decodeEnvelope(encoded) as Record<string, unknown>;
  assert.deepEqual(decoded.strings, ['a', 'b', 'c']);
  const back = decoded.nested as { values: number[]; ids: Uint32Array };
  assert.deepEqual(back.values, [1, NaN, -Infinity]);
  assert.deepEqual(Array.from(back.ids), [4, 5]);
  assert.equal(decoded.when, '1970-01-01T00:00:00.000Z');
  assert.ok(!('gone' in decoded));
  assert.deepEqual(decoded.holes, [null, 2]);
  // "__proto__" stays an own key with its value, not the decoded object's prototype.
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value, { polluted: 1 });
  assert.equal((decoded as { polluted?: unknown }).polluted, undefined);
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
