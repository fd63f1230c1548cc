/**
 * The window's "Inlined functions" choice, on the C++ fixture whose hot
 * helper mix() is always inlined into recurse(), recorded now with perf -g
 * and opened with `heatline serve FILE`:
 *
 * - by default (ticked) inlined functions are frames of their own, as
 *   perf report --inline shows them: mix() has a row, and searching the
 *   flame graph for it finds its share;
 * - unticked, the function table lists perf report's hottest symbol first
 *   with perf's self share (within a point), no mix(), and the search finds
 *   nothing.
 *
 * Screenshots: test-artifacts/e2e/inlined-merged.png, inlined-separate.png.
 */

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openServedRecording, screenshot, type ServedRecording } from '../helpers/browser';
import { repoRoot } from '../helpers/cli';
import { compile } from '../helpers/compile';
import { perfReportBySymbol, recordPerf, withoutParameters } from '../helpers/perf';

let data = '';
let served: ServedRecording | undefined;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  const dir = join(repoRoot, 'test-artifacts', 'e2e-inlined');
  mkdirSync(dir, { recursive: true });
  const binary = compile({ sources: ['inline_cpp.cpp'], out: join(dir, 'inline_cpp'), flags: ['-O2', '-g', '-fno-omit-frame-pointer'] });
  data = await recordPerf(binary, ['1000', '60000'], { callGraph: 'fp', out: join(dir, 'inline_cpp.perf.data') });
  served = await openServedRecording([data], pageErrors);
  page = served.page;
});

after(() => served?.close());

/** The function table's rows as [name, self %, total %]. */
async function functionRows(): Promise<[string, number, number][]> {
  return page.$$eval('[data-testid=function-row]', (rows) =>
    rows.map((row) => {
      const cells = Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '');
      const percents = cells.filter((text) => text.trim().endsWith('%')).map((text) => Number.parseFloat(text));
      return [cells[0], percents[0], percents[percents.length - 1]] as [string, number, number];
    }),
  );
}

const isMix = (name: string) => withoutParameters(name).endsWith('::mix');

test('by default inlined functions are frames of their own, as perf report --inline shows them; unticked, the function table counts them as their caller, as perf report does', async () => {
  const perf = await perfReportBySymbol(data);
  await page.getByTestId('function-row').first().waitFor({ timeout: 60_000 });
  // Shown on their own: mix() has a row with its self share, and searching the flame graph finds it.
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=function-row] td:first-child')).some((td) => /::mix\(/.test(td.textContent ?? '')));
  const separate = await functionRows();
  const mix = separate.find(([name]) => isMix(name));
  assert.ok(mix !== undefined && mix[1] >= 2, `mix has its own self share: ${JSON.stringify(mix)}`);
  // The call views follow: searching finds the samples with mix on their stack, its total.
  await page.getByTestId('search').fill('::mix');
  const summary = page.getByTestId('search-summary');
  await page.waitForFunction(() => /of samples$/.test(document.querySelector('[data-testid=search-summary]')?.textContent ?? ''));
  const share = Number.parseFloat(/· ([\d.]+)%/.exec((await summary.textContent()) ?? '')?.[1] ?? 'NaN');
  assert.ok(Math.abs(share - mix[2]) <= 0.15, `the flame graph's share for mix: ${share}%, its total ${mix[2]}%`);
  await screenshot(page, 'e2e/inlined-separate');

  // Merged into their callers: perf report's hottest symbol first with perf's self share, no mix, no match.
  await page.getByTestId('show-inlined').uncheck();
  await page.waitForFunction(() => /^No match$/.test(document.querySelector('[data-testid=search-summary]')?.textContent ?? ''));
  await page.getByTestId('search').fill('');
  const merged = await functionRows();
  assert.equal(withoutParameters(merged[0][0]), perf.functions[0].name, 'the hottest function is perf report\'s');
  assert.ok(Math.abs(merged[0][1] - perf.functions[0].percent) <= 1, `${merged[0][0]}: ${merged[0][1]}% against perf's ${perf.functions[0].percent}%`);
  assert.ok(!merged.some(([name]) => isMix(name)), 'no row for the inlined helper');
  assert.ok(separate[0][1] < merged[0][1], 'its caller has what mix had');
  await screenshot(page, 'e2e/inlined-merged');
  assert.deepEqual(pageErrors, []);
});
