/**
 * The DHAT reader's fast path for program points (program-point-bytes.ts)
 * against its general path, the tokenizer's events (the reader built with
 * `fastPath: false`): on DHAT recordings made now in every valgrind mode,
 * and on program points of every shape the grammar and the checks allow or
 * refuse, cut by chunk boundaries anywhere. Both must give the same columns,
 * or the same one-line error; and the fast path must really take the common
 * shape (a fast path that declined everything would pass the comparison).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { JsonScanner } from '../../src-main/import/dhat/json-scanner';
import { ProgramPointBytes } from '../../src-main/import/dhat/program-point-bytes';
import { DhatReader, type DhatData } from '../../src-main/import/dhat/reader';
import { dhatFileWith, PLAIN_POINT } from '../helpers/dhat-text';
import { compileAllocSites, recordDhat } from '../helpers/memory-tools';

type Outcome = { data: DhatData } | { error: string };

function readWith(bytes: Uint8Array, fastPath: boolean, chunkSize: number): Outcome {
  const reader = new DhatReader({ fastPath });
  const scanner = new JsonScanner(reader);
  try {
    for (let at = 0; at < bytes.length; at += chunkSize) scanner.write(bytes.subarray(at, at + chunkSize));
    scanner.end();
    return { data: reader.finish() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function assertSameRead(text: string, chunkSizes: number[], label: string): Outcome {
  const bytes = new TextEncoder().encode(text);
  const general = readWith(bytes, false, 1 << 30);
  for (const size of chunkSizes) assert.deepEqual(readWith(bytes, true, size), general, `${label}, chunks of ${size}`);
  return general;
}

const recordings: string[] = [];

before(async () => {
  const binary = await compileAllocSites();
  for (const mode of ['heap', 'copy', 'ad-hoc'] as const) recordings.push(recordDhat(binary, [], mode).file);
});

test('recordings: the same columns through the fast path as through the tokenizer, at any chunk size', () => {
  for (const file of recordings) {
    const text = readFileSync(file, 'utf8');
    const outcome = assertSameRead(text, [1 << 20, 4096, 97, 13], file);
    assert.ok('data' in outcome && outcome.data.ppCount > 0, `${file} reads`);
  }
});

test('recordings: every program point in valgrind\'s layout takes the fast path', () => {
  for (const file of recordings) {
    const text = readFileSync(file, 'utf8');
    const points = (JSON.parse(text) as { pps: unknown[] }).pps.length;
    const bytes = new TextEncoder().encode(text);
    const fast = new ProgramPointBytes();
    let taken = 0;
    // Each program point opens at a '{' right after the start of pps or a comma between points.
    for (let open = bytes.indexOf(0x7b, 1); open >= 0; open = bytes.indexOf(0x7b, open + 1)) {
      const before = text.slice(Math.max(0, open - 3), open).trim();
      if ((before.endsWith('[') || before.endsWith(',')) && fast.read(bytes, open) > open) taken++;
    }
    assert.equal(taken, points, file);
  }
});

const PLAIN = PLAIN_POINT;

/** Program points the fast path takes, declines, or must not take for an error: each against the general path. */
const SHAPES: Record<string, string> = {
  plain: PLAIN,
  // dhat-rs writes members one per line, indented.
  pretty: '{\n      "tb": 64,\n      "tbk": 2,\n      "tl": 50,\n      "mb": 64,\n      "mbk": 2,\n      "gb": 32,\n      "gbk": 1,\n      "eb": 0,\n      "ebk": 0,\n      "rb": 10,\n      "wb": 64,\n      "fs": [\n        1,\n        2\n      ]\n    }',
  tabsAndReturns: PLAIN.replace(/\n {2}/g, '\r\n\t').replace('[1,2,3]', '[ 1 , 2 ,\t3 ]'),
  noAccess: PLAIN.replace('\n  ,"acc":[-32,1]', ''),
  emptyArrays: PLAIN.replace('[-32,1]', '[]').replace('[1,2,3]', '[ ]'),
  fsFirst: '{"fs":[3,2],"tb":8,"tbk":1,"tl":1,"mb":8,"mbk":1,"gb":8,"gbk":1,"eb":8,"ebk":1,"rb":0,"wb":0}',
  twiceTb: PLAIN.replace('"tb":64,', '"tb":1,"tb":64,'),
  twiceAcc: PLAIN.replace('"acc":[-32,1]', '"acc":[-32,1],"acc":[0]'),
  minusZeroAcc: PLAIN.replace('[-32,1]', '[-0,0,-16,10]'),
  bigCounts: PLAIN.replace('"tl":50', '"tl":999999999999999'),
  longFs: PLAIN.replace('[1,2,3]', `[${Array.from({ length: 700 }, (_, i) => 1 + (i % 3)).join(',')}]`),
  // Declined, and then accepted or refused by the general path:
  unknownMember: PLAIN.replace('"tb":64', '"tb":64,"new":{"x":[1,2]}'),
  escapedName: PLAIN.replace('"tbk":2', '"t\\u0062k":2'),
  fraction: PLAIN.replace('"tb":64', '"tb":6.5'),
  exponent: PLAIN.replace('"tb":64', '"tb":64e0'),
  negative: PLAIN.replace('"tb":64', '"tb":-64'),
  leadingZero: PLAIN.replace('"tb":64', '"tb":064'),
  sixteenDigits: PLAIN.replace('"tl":50', '"tl":1234567890123456'),
  hugeFrame: PLAIN.replace('[1,2,3]', '[1,2,3,4294967296]'),
  negativeFrame: PLAIN.replace('[1,2,3]', '[1,-2,3]'),
  fractionInAcc: PLAIN.replace('[-32,1]', '[-32,1.5]'),
  exponentInAcc: PLAIN.replace('[-32,1]', '[-32,1e2]'),
  stringInFs: PLAIN.replace('[1,2,3]', '[1,"2"]'),
  fsTwice: PLAIN.replace('"fs":[1,2,3]', '"fs":[1],"fs":[2]'),
  noFs: PLAIN.replace('\n  ,"fs":[1,2,3]', ''),
  emptyObject: '{ }',
  frameOutsideFtbl: PLAIN.replace('[1,2,3]', '[1,2,99]'),
  trailingComma: PLAIN.replace('"wb":64', '"wb":64,'),
  trailingCommaInFs: PLAIN.replace('[1,2,3]', '[1,2,3,]'),
  missingColon: PLAIN.replace('"tb":64', '"tb" 64'),
  nullValue: PLAIN.replace('"tb":64', '"tb":null'),
  nestedFs: PLAIN.replace('[1,2,3]', '[1,[2],3]'),
};

/** The shapes that are valid program points (an exponent can still write an integer); the others are errors. */
const READ = ['plain', 'pretty', 'tabsAndReturns', 'noAccess', 'emptyArrays', 'fsFirst', 'twiceTb', 'twiceAcc', 'minusZeroAcc', 'bigCounts', 'longFs'];
READ.push('unknownMember', 'escapedName', 'exponent', 'exponentInAcc', 'sixteenDigits');

test('program points of every shape: the same columns or the same error either way', () => {
  for (const [name, point] of Object.entries(SHAPES)) {
    // The shape between two plain points, so declining one must not disturb its neighbours.
    const text = dhatFileWith([PLAIN, point, PLAIN]);
    const outcome = assertSameRead(text, [1 << 20, 7], name);
    if (READ.includes(name)) {
      assert.ok('data' in outcome && outcome.data.ppCount === 3, `${name} reads: ${JSON.stringify(outcome).slice(0, 200)}`);
    } else {
      assert.ok('error' in outcome, `${name} is refused`);
    }
  }
});

test('the fast path takes the common shapes itself and declines the others', () => {
  // A frame outside ftbl is found at the end, by the reader, whichever path read the point.
  const taken = ['plain', 'pretty', 'tabsAndReturns', 'noAccess', 'emptyArrays', 'fsFirst', 'twiceTb', 'twiceAcc', 'minusZeroAcc', 'bigCounts', 'longFs', 'frameOutsideFtbl'];
  for (const [name, point] of Object.entries(SHAPES)) {
    const bytes = new TextEncoder().encode(`${point} `);
    const end = new ProgramPointBytes().read(bytes, 0);
    if (taken.includes(name)) assert.equal(end, bytes.length - 1, `${name} is read whole`);
    else assert.equal(end, -1, `${name} is declined`);
  }
  // Whole within the bytes or declined: a point cut anywhere is left to the tokenizer, which carries it over.
  const plain = new TextEncoder().encode(PLAIN);
  for (let cut = 1; cut < plain.length; cut++) assert.equal(new ProgramPointBytes().read(plain.subarray(0, cut), 0), -1, `cut at ${cut}`);
});

test('the fast path fills the same values the members hold', () => {
  const point = new ProgramPointBytes();
  const text = SHAPES.fsFirst;
  assert.equal(point.read(new TextEncoder().encode(text), 0), text.length);
  const parsed = JSON.parse(text) as Record<string, number | number[]>;
  assert.deepEqual(Array.from(point.frames.subarray(0, point.frameCount)), parsed.fs);
  assert.deepEqual(Array.from(point.values), ['tb', 'tbk', 'tl', 'mb', 'mbk', 'gb', 'gbk', 'eb', 'ebk', 'rb', 'wb'].map((field) => parsed[field]));
});
