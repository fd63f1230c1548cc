/**
 * `npm run bench`: each benchmark compares Heatline with the real tools on the
 * same file in the same run and prints ratios. Not part of `npm test`.
 * Usage: npm run bench [-- NAME...]   (names: perf-data)
 */

import { benchPerfData } from './perf-data.bench';

const benchmarks: Record<string, () => string> = {
  'perf-data': benchPerfData,
};

const chosen = process.argv.slice(2);
for (const name of chosen.length > 0 ? chosen : Object.keys(benchmarks)) {
  const bench = benchmarks[name];
  if (!bench) {
    console.error(`bench: unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  console.log(bench());
  console.log('');
}
