/**
 * The window's pure text helpers: numbers, weights and percentages as the
 * table and tooltip print them, label fitting, and stable flame colours.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DARK_LABEL, functionColor, hashString, LIGHT_LABEL, luminanceOfHsl } from '../../src-renderer/canvas/flame-colors';
import { cachedMeasure, ELLIPSIS, fitText } from '../../src-renderer/canvas/text-fit';
import {
  formatCount,
  formatPercent,
  formatWeight,
  formatWeightWithUnit,
  unitName,
} from '../../src-renderer/format/numbers';
import { FuncKind } from '../../src-shared/profile/model';

test('counts get thousands separators; fractional weights keep two decimals', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(2.5), '2.5');
  assert.equal(formatCount(1 / 3), '0.33');
});

test('weights are scaled to a readable unit for time and bytes, bare for counts', () => {
  assert.equal(formatWeight(1234, 'samples'), '1,234');
  assert.equal(formatWeight(1234, 'instructions'), '1,234');
  assert.equal(formatWeight(850, 'nanoseconds'), '850 ns');
  assert.equal(formatWeight(1500, 'nanoseconds'), '1.50 µs');
  assert.equal(formatWeight(12_345_678, 'nanoseconds'), '12.3 ms');
  assert.equal(formatWeight(250_000_000, 'nanoseconds'), '250 ms');
  assert.equal(formatWeight(3_200_000_000, 'nanoseconds'), '3.20 s');
  assert.equal(formatWeight(512, 'bytes'), '512 B');
  assert.equal(formatWeight(1536, 'bytes'), '1.50 KiB');
  assert.equal(formatWeight(5 * 2 ** 30, 'bytes'), '5.00 GiB');
});

test('a weight on its own carries its unit, singular for one', () => {
  assert.equal(formatWeightWithUnit(1, 'samples'), '1 sample');
  assert.equal(formatWeightWithUnit(90, 'samples'), '90 samples');
  assert.equal(formatWeightWithUnit(2_000_000, 'instructions'), '2,000,000 instructions');
  assert.equal(formatWeightWithUnit(2_000_000, 'nanoseconds'), '2.00 ms');
  assert.equal(unitName('samples'), 'samples');
  assert.equal(unitName('bytes', 1), 'byte');
});

test('percentages: one decimal, tiny shares never read as zero, no whole gives a dash', () => {
  assert.equal(formatPercent(30, 90), '33.3%');
  assert.equal(formatPercent(90, 90), '100%');
  assert.equal(formatPercent(0, 90), '0%');
  assert.equal(formatPercent(1, 100_000), '<0.1%');
  assert.equal(formatPercent(99_996, 100_000), '100%');
  assert.equal(formatPercent(5, 0), '–');
});

test('labels fit their box: whole when they fit, else the longest prefix with an ellipsis, else nothing', () => {
  const measure = (text: string) => text.length * 7; // a monospace font, 7 px a character
  assert.equal(fitText('parse', 35, measure), 'parse');
  assert.equal(fitText('parse_expression', 56, measure), `parse_e${ELLIPSIS}`);
  assert.equal(fitText('parse_expression', 14, measure), `p${ELLIPSIS}`);
  assert.equal(fitText('parse_expression', 13, measure), '');
  assert.equal(fitText('', 100, measure), '');
  assert.equal(fitText('x', 0, measure), '');
});

test('the cached measurer measures each distinct text once', () => {
  let calls = 0;
  const measure = cachedMeasure((text) => {
    calls++;
    return text.length;
  });
  assert.equal(measure('main'), 4);
  assert.equal(measure('main'), 4);
  assert.equal(measure('lex'), 3);
  assert.equal(calls, 2);
});

function hueOf(color: string): number {
  const match = /^hsl\(([\d.]+) /.exec(color);
  assert.ok(match, color);
  return Number(match[1]);
}

test('flame colours are stable per function, warm for native code and a cool hue for the kernel', () => {
  assert.equal(hashString('main'), hashString('main'));
  assert.notEqual(hashString('main'), hashString('main2'));
  const a = functionColor('parse', '/usr/bin/app', FuncKind.native, 'light');
  assert.deepEqual(functionColor('parse', '/usr/bin/app', FuncKind.native, 'light'), a);
  assert.notEqual(functionColor('parse', '/usr/bin/app', FuncKind.native, 'dark').fill, a.fill);
  for (const name of ['main', 'parse', 'lex', 'render', 'draw', 'malloc', 'memcpy']) {
    for (const library of ['', '/usr/bin/app', '/lib/libc.so.6']) {
      const warm = hueOf(functionColor(name, library, FuncKind.native, 'light').fill);
      assert.ok(warm >= 0 && warm <= 60, `${name} in ${library}: hue ${warm} is warm`);
      const kernel = hueOf(functionColor(name, '[kernel.kallsyms]', FuncKind.kernel, 'light').fill);
      assert.ok(kernel >= 180 && kernel <= 240, `kernel ${name}: hue ${kernel} is blue`);
    }
  }
});

test('labels take the colour that contrasts more with their box', () => {
  assert.ok(Math.abs(luminanceOfHsl(0, 0, 1) - 1) < 1e-9, 'white');
  assert.ok(Math.abs(luminanceOfHsl(0, 0, 0)) < 1e-9, 'black');
  assert.ok(Math.abs(luminanceOfHsl(120, 1, 0.5) - 0.7152) < 1e-4, 'pure green');
  const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  for (const scheme of ['light', 'dark'] as const) {
    for (const kind of [FuncKind.native, FuncKind.kernel, FuncKind.jit]) {
      for (const name of ['main', 'parse', 'lex', 'render', 'draw', 'malloc', 'memcpy', 'work_15', 'qsort', 'sys_write']) {
        const color = functionColor(name, '', kind, scheme);
        const [, h, s, l] = /^hsl\(([\d.]+) ([\d.]+)% ([\d.]+)%\)$/.exec(color.fill)!.map(Number);
        const box = luminanceOfHsl(h, s / 100, l / 100);
        const label = color.text === LIGHT_LABEL ? 1 : 0.008;
        assert.ok([DARK_LABEL, LIGHT_LABEL].includes(color.text));
        const ratio = contrast(box, label);
        assert.ok(ratio >= 4.5, `${scheme} ${name}: ${color.fill} with ${color.text} reads at ${ratio.toFixed(2)}:1`);
      }
    }
  }
});
