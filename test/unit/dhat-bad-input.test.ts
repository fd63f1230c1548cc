/**
 * The DHAT reader's tokenizer and its behaviour on bad input.
 *
 * - The streaming tokenizer rebuilds exactly what JSON.parse builds, for
 *   documents covering the whole grammar, whatever the chunk boundaries
 *   (one byte at a time, and odd sizes), and rejects what JSON.parse
 *   rejects.
 * - Truncated and malformed JSON, wrong member types, missing members and
 *   bad frame indexes each end in one line that names the file and the
 *   problem; nothing crashes or hangs (every test has a time limit).
 * - Sniffing claims DHAT files only: not other JSON that happens to
 *   mention "dhatFileVersion" below the top level.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError, UserFacingError } from '../../src-shared/errors';
import { dhatImporter } from '../../src-main/import/dhat';
import { JsonScanner, JsonSyntaxError, type JsonHandler } from '../../src-main/import/dhat/json-scanner';
import { loadProfile } from '../../src-main/import/load';
import { bytesSource } from '../../src-main/import/source';
import { dhatFileWith, PLAIN_POINT } from '../helpers/dhat-text';

const LIMIT = { timeout: 20_000 };

/** Rebuilds the document's value from the tokenizer's events. */
class Rebuild implements JsonHandler {
  private readonly stack: (unknown[] | Record<string, unknown>)[] = [];
  private readonly keys: string[] = [];
  result: unknown = undefined;
  private put(value: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) this.result = value;
    else if (Array.isArray(top)) top.push(value);
    else top[this.keys.pop() as string] = value;
  }
  startObject(): void {
    this.stack.push({});
  }
  startArray(): void {
    this.stack.push([]);
  }
  endObject(): void {
    this.put(this.stack.pop());
  }
  endArray(): void {
    this.put(this.stack.pop());
  }
  key(name: string): void {
    this.keys.push(name);
  }
  string(value: string): void {
    this.put(value);
  }
  number(value: number): void {
    this.put(value);
  }
  literal(value: boolean | null): void {
    this.put(value);
  }
}

function scanInChunks(text: string, chunkSize: number): unknown {
  const bytes = new TextEncoder().encode(text);
  const handler = new Rebuild();
  const scanner = new JsonScanner(handler);
  for (let at = 0; at < bytes.length; at += chunkSize) scanner.write(bytes.subarray(at, at + chunkSize));
  scanner.end();
  return handler.result;
}

const DOCUMENTS = [
  '{"dhatFileVersion":2,"a":[1,-2,3.5,-0.25e-3,6E+2,0,1e400],"b":{},"c":[],"d":[[[]]],"e":true,"f":false,"g":null}',
  '  {\n "s": "plain", "esc": "q\\"b\\\\s\\/n\\nt\\tu\\u00e9\\ud83d\\ude00", "utf8": "µs — ünïcödé 🎉", "k\\u0041y": 1 }  ',
  '[1,2,[3,{"x":[4,5,{"y":"z"}]}],"",""]',
  // Integer arrays take a fast path in the tokenizer: its edges (signs, zeros, spaces, 16+ digits, fractions mid-array).
  '{"fs":[1,22,333],"acc":[-16,3,-0,0,10,-8],"sp":[1 ,2, 3 ],"big":[123456789012345678,1],"mix":[1,2.5,3e2,4],"e":[],"n":[[1],[-2,[3]]]}',
  '12345678901234567890',
  '"a string alone"',
  '\ufeff{"bom": 1}',
  JSON.stringify({ big: Number.MAX_SAFE_INTEGER, neg: -Number.MAX_SAFE_INTEGER, tiny: 5e-324, list: Array.from({ length: 300 }, (_, i) => i * 7919) }),
];

test('the tokenizer rebuilds what JSON.parse builds, at any chunk boundary', LIMIT, () => {
  for (const doc of DOCUMENTS) {
    const expected = JSON.parse(doc.replace(/^\ufeff/, ''));
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      assert.deepEqual(scanInChunks(doc, size), expected, `chunks of ${size}: ${doc.slice(0, 40)}`);
    }
  }
});

test('the tokenizer rejects what JSON.parse rejects', LIMIT, () => {
  const bad = ['{"a":1,}', '[1 2]', '[1,2,]', '[1,-]', '[1,-a]', '[1,2,01]', '[1,2}', '[1,2 3]', '{"a" 1}', '{a:1}', '[01]', '[1.]', '[-]', '["\\x"]', '["tab\there"]', '[tru]', '{"a":1}}', '[1,]', '', '  ', '{"a":[1,2}', 'nul', '[1e]'];
  for (const doc of bad) {
    assert.throws(() => JSON.parse(doc), `JSON.parse rejects ${JSON.stringify(doc)}`);
    for (const size of [1, 1 << 20]) {
      assert.throws(() => scanInChunks(doc, size), JsonSyntaxError, `tokenizer rejects ${JSON.stringify(doc)} in chunks of ${size}`);
    }
  }
});

/** A small file in valgrind's layout, valid, to break in the tests below. */
const VALID = dhatFileWith([PLAIN_POINT]);

async function importText(text: string, name = 'dhat.out.123'): Promise<unknown> {
  return loadProfile(bytesSource(name, new TextEncoder().encode(text)));
}

/** The import fails with one line that names the file, the format and the problem. */
async function assertOneLineError(text: string, problem: RegExp): Promise<void> {
  await assert.rejects(importText(text), (error: unknown) => {
    assert.ok(error instanceof UserFacingError, `a UserFacingError, not ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, /^dhat\.out\.123: DHAT JSON: /);
    assert.match(error.message, problem);
    return true;
  });
}

test('the valid base file imports', LIMIT, async () => {
  const profile = (await importText(VALID)) as { allocations: { totalBytes: Float64Array } };
  assert.deepEqual(Array.from(profile.allocations.totalBytes), [64]);
});

test('a file cut anywhere: one line saying where it ends', LIMIT, async () => {
  const cuts = [VALID.indexOf('"tbk"'), VALID.indexOf('50'), VALID.indexOf('prog.c:9'), VALID.indexOf('"ftbl"') - 2, VALID.length - 3];
  for (const cut of cuts) await assertOneLineError(VALID.slice(0, cut), /ends early .*truncated at byte \d+/);
  await assertOneLineError(VALID.slice(0, VALID.indexOf('"fs"')), /inside pps\[0\]/);
});

test('every proper prefix of a document is reported as cut short, never as malformed', LIMIT, () => {
  // A cut can land inside "-0.25e-3" leaving "-" or "-0.25e", or inside "true": still truncation.
  const containers = DOCUMENTS.filter((text) => /^\s*[[{]/.test(text));
  assert.ok(containers.length >= 4);
  for (const text of containers) {
    const trimmedEnd = text.trimEnd().length;
    for (let cut = text.search(/\S/) + 1; cut < trimmedEnd; cut++) {
      assert.throws(
        () => scanInChunks(text.slice(0, cut), 7),
        (error: unknown) => error instanceof JsonSyntaxError && error.truncated && /ends early/.test(error.message),
        `cut at ${cut}: ${JSON.stringify(text.slice(Math.max(0, cut - 8), cut))}`,
      );
    }
  }
});

test('malformed JSON: one line with the byte offset', LIMIT, async () => {
  const unquoted = VALID.replace('"mode":"heap"', '"mode":heap');
  await assertOneLineError(unquoted, new RegExp(`malformed JSON at byte ${unquoted.indexOf(':heap') + 1}: expected a value, found 'h'`));
  await assertOneLineError(VALID.replace('"tb":64,', '"tb":64,,'), /malformed JSON at byte \d+/);
  await assertOneLineError(`${VALID} trailing`, /more data after the end/);
  await assertOneLineError(VALID.replace('"cmd":"./prog"', '"cmd":"./pr\u0001og"'), /control character/);
});

test('wrong types and missing members: one line naming the member', LIMIT, async () => {
  await assertOneLineError(VALID.replace('"tb":64', '"tb":"64"'), /pps\[0\]\.tb is a string; expected a number/);
  await assertOneLineError(VALID.replace('"tb":64', '"tb":-64'), /pps\[0\]\.tb is -64; expected a non-negative integer/);
  await assertOneLineError(VALID.replace('"tb":64', '"tb":6.5'), /pps\[0\]\.tb is 6\.5/);
  await assertOneLineError(VALID.replace('"fs":[1,2,3]', '"fs":3'), /pps\[0\]\.fs is a number; expected an array of integers/);
  await assertOneLineError(VALID.replace('"fs":[1,2,3]', '"fs":[1,"2"]'), /pps\[0\]\.fs holds a string; expected integers/);
  // acc's integers are only checked (the scanner skips passing them on): a fraction or a string still fails.
  await assertOneLineError(VALID.replace('"acc":[-32,1]', '"acc":[-32,1.5]'), /pps\[0\]\.acc has 1\.5, not an integer/);
  await assertOneLineError(VALID.replace('"acc":[-32,1]', '"acc":[-32,"1"]'), /pps\[0\]\.acc holds a string; expected integers/);
  await assertOneLineError(VALID.replace('"fs":[1,2,3]', '"fs":[1,2,99]'), /pps\[0\] names frame 99, but ftbl has 4 entries/);
  await assertOneLineError(VALID.replace(',"fs":[1,2,3]', ''), /pps\[0\] has no "fs"/);
  await assertOneLineError(VALID.replace(',"gb":32,"gbk":1', ''), /pps\[0\] has no "gb" \(required when "bklt" is true\)/);
  await assertOneLineError(VALID.replace('"bklt":true', '"bklt":"yes"'), /"bklt" is a string; expected true or false/);
  await assertOneLineError(VALID.replace('"pps":\n [', '"pps":{"x":').replace('\n ]\n,"ftbl"', '}\n,"ftbl"'), /"pps" is an object; expected an array of program points/);
  await assertOneLineError(VALID.replace('"[root]"', '0'), /ftbl\[0\] is a number; expected a string/);
  await assertOneLineError(VALID.replace(',"cmd":"./prog"', ''), /the top-level object has no "cmd"/);
  await assertOneLineError(VALID.replace('"dhatFileVersion":2', '"dhatFileVersion":3'), /dhatFileVersion 3 is not supported/);
  await assertOneLineError(VALID.replace(',"pid":123', ',"pid":123,"pid":4'), /"pid" appears twice/);
});

test('unknown members are skipped whatever they hold; bounded nesting and token size', LIMIT, async () => {
  const extra = VALID.replace('"pid":123', '"pid":123,"future":{"a":[1,{"b":null}],"c":"d"},"flag":true')
    .replace('"tb":64', '"tb":64,"new":[[1],{"x":2}]');
  const profile = (await importText(extra)) as { allocations: { totalBytes: Float64Array } };
  assert.deepEqual(Array.from(profile.allocations.totalBytes), [64]);
  const deep = VALID.replace('"pid":123', `"pid":123,"deep":${'['.repeat(600)}${']'.repeat(600)}`);
  await assertOneLineError(deep, /nested deeper than 512 levels/);
  const huge = VALID.replace('"cmd":"./prog"', `"cmd":"${'x'.repeat(5 << 20)}"`);
  await assertOneLineError(huge, /longer than 4194304 bytes/);
});

test('sniff: DHAT files only', () => {
  const sniff = (text: string) => dhatImporter.sniff(new TextEncoder().encode(text));
  assert.equal(sniff(VALID), true);
  assert.equal(sniff(VALID.slice(0, 30)), true, 'a head cut inside the file');
  assert.equal(sniff('{\n  "dhatFileVersion": 2,\n  "mode": "rust-heap"'), true, "dhat-rs's pretty layout");
  assert.equal(sniff('{"$schema":"https://www.speedscope.app/file-format-schema.json","name":"dhatFileVersion"}'), false);
  assert.equal(sniff('{"meta":{"dhatFileVersion":2}}'), false, 'nested, not top level');
  assert.equal(sniff('[{"dhatFileVersion":2}]'), false);
  assert.equal(sniff('dhatFileVersion'), false);
  assert.equal(sniff('\x00\x01binary'), false);
});

test('cancelling stops the import', LIMIT, async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(dhatImporter.import(bytesSource('x.json', new TextEncoder().encode(VALID)), { signal: controller.signal }), CancelledError);
});
