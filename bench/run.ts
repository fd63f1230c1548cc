/**
 * `npm run bench`: each benchmark compares Heatline with the real tools on the
 * same file in the same run (or measures the window in Chromium) and prints
 * figures and ratios. Not part of `npm test`.
 * Usage: npm run bench [-- NAME...]   (names: perf-data, perf-data-dwarf, perf-data-small, perf-data-big-binary, views, open-perf-data, dhat)
 */

import { benchPerfData, benchPerfDataBigBinary, benchPerfDataDwarf, benchPerfDataSmall } from './perf-data.bench';
import { benchDhat } from './dhat.bench';
import { benchOpenPerfData } from './open-perf-data.bench';
import { benchViews } from './views.bench';

const benchmarks: Record<string, () => string | Promise<string>> = {
  'perf-data': benchPerfData,
  'perf-data-dwarf': benchPerfDataDwarf,
  'perf-data-small': benchPerfDataSmall,
  'perf-data-big-binary': benchPerfDataBigBinary,
  views: benchViews,
  'open-perf-data': benchOpenPerfData,
  dhat: benchDhat,
};

async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  for (const name of chosen.length > 0 ? chosen : Object.keys(benchmarks)) {
    const bench = benchmarks[name];
    if (!bench) {
      console.error(`bench: unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`);
      process.exit(2);
    }
    console.log(await bench());
    console.log('');
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
