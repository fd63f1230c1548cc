/**
 * A --call-graph dwarf recording in the window (issue 3's "Done when"): the
 * deep_stack fixture built without frame pointers, recorded now, opened with
 * `heatline serve FILE`.
 *
 * - The flame graph has the whole caller chain that perf script unwinds for
 *   a sample in hot() (the fixture's own frames from the leaf up: hot, c, b,
 *   a, main), one level apart, not a single frame.
 * - Hovering hot()'s box shows a tooltip naming hot with file:line, the line
 *   being perf report --sort srcline's hottest.
 *
 * Screenshot: test-artifacts/e2e/dwarf-flame-tooltip.png.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openServedRecording, screenshot, type ServedRecording } from '../helpers/browser';
import { perfReportBySrcline, perfScriptText } from '../helpers/perf';
import { compileFixtureWith, recordPerfWith } from '../helpers/perf-data';

let binary = '';
let data = '';
let served: ServedRecording | undefined;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  binary = await compileFixtureWith('deep_stack', 'nofp', ['-O2', '-g', '-fomit-frame-pointer']);
  data = await recordPerfWith(['-e', 'cpu-clock', '-F', '1000', '--call-graph', 'dwarf', '--', binary, '200'], 'deep_stack-nofp-dwarf-e2e.perf.data');
  served = await openServedRecording([data], pageErrors);
  page = served.page;
});

after(() => served?.close());

/** perf script's frames of its first sample whose leaf is `leaf`: the run of the fixture's own frames from the leaf up. */
async function perfChainTo(leaf: string): Promise<string[]> {
  const text = readFileSync(await perfScriptText(data, ['comm', 'ip', 'sym', 'dso']), 'utf8');
  for (const block of text.split(/\n\s*\n/)) {
    const frames = [...block.matchAll(/^\s+[0-9a-f]+\s+(\S+)\s+\((.*)\)$/gm)].map((m) => ({ sym: m[1], dso: m[2] }));
    if (frames[0]?.sym !== leaf) continue;
    const own: string[] = [];
    for (const frame of frames) {
      if (frame.dso !== binary) break;
      own.push(frame.sym);
    }
    return own;
  }
  return [];
}

test('the flame graph of a dwarf recording has the full call path perf unwinds, one level per caller', async () => {
  const chain = await perfChainTo('hot');
  assert.ok(chain.length >= 5, `perf unwound the fixture: ${chain.join(' <- ')}`);
  await page.locator('[data-testid=flame-boxes] li').first().waitFor({ state: 'attached', timeout: 60_000 });
  const boxes = await page.$$eval('[data-testid=flame-boxes] li', (items) =>
    items.map((li) => ({ name: li.getAttribute('data-func-name') ?? '', depth: Number(/at depth (\d+)/.exec(li.textContent ?? '')?.[1] ?? -1) })),
  );
  // The widest box of each function (the list is widest first).
  const depthOf = (name: string) => boxes.find((b) => b.name === name)?.depth ?? -1;
  const depths = chain.map(depthOf);
  assert.ok(!depths.includes(-1), `every frame has a box: ${chain.map((name, i) => `${name}@${depths[i]}`).join(', ')}`);
  for (let i = 1; i < chain.length; i++) assert.equal(depths[i], depths[i - 1] - 1, `${chain[i]} calls ${chain[i - 1]} one level up`);
  assert.deepEqual(pageErrors, []);
});

test("hovering hot's box shows its file:line, perf report's hottest line", async () => {
  const hottest = (await perfReportBySrcline(data)).lines[0];
  assert.match(hottest.file, /deep_stack\.c$/, `perf's hottest line is in the fixture: ${hottest.srcline}`);
  const graph = page.getByTestId('flame-graph');
  const box = (await graph.boundingBox())!;
  // Hover down the middle of the graph, row by row, until the tooltip names hot.
  let found = false;
  for (let y = 4; y < box.height && !found; y += 6) {
    await page.mouse.move(box.x + box.width / 2, box.y + y);
    const tooltip = page.locator('.flame-tooltip__name');
    found = (await tooltip.count()) > 0 && (await tooltip.innerText()).trim() === 'hot';
  }
  assert.ok(found, 'a box of hot() shows its tooltip');
  const text = await page.getByRole('tooltip').innerText();
  assert.match(text, new RegExp(`Hottest line\\s+\\S*deep_stack\\.c:${hottest.line}\\b`), text);
  await screenshot(page, 'e2e/dwarf-flame-tooltip');
  assert.deepEqual(pageErrors, []);
});
