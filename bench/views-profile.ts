/**
 * A synthetic `perf script` text of about a million samples for the
 * analysis-window benchmark: one process, four threads sampled at 4 kHz,
 * call stacks 6 to 36 frames deep through a few hundred functions in the
 * executable, libc and the kernel, drawn from a pool of 40,000 call paths
 * (a real program repeats its paths), with the hot paths drifting over time
 * (so a range selection changes every view). Deterministic: the same
 * arguments give the same bytes.
 *
 * Real recordings of that size take minutes and a quiet machine; the
 * benchmark measures the window, not perf, so a generated file does.
 */

import { createWriteStream } from 'node:fs';

/** Mulberry32: small, fast, good enough for shaping test data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Func {
  name: string;
  dso: string;
  address: number;
}

// Short names and paths keep the file near 300 MB; the parser's work per frame is the same.
const EXE = '/b/app';
const LIBC = '/l/libc.so.6';
const KERNEL = '[kernel.kallsyms]';

export interface GeneratedProfile {
  samples: number;
  threads: number;
  seconds: number;
}

/** Writes the text to `path`; resolves with what it holds. */
export function writeBenchProfile(path: string, samples = 1_000_000, seed = 42): Promise<GeneratedProfile> {
  const next = random(seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const funcs = (prefix: string, count: number, dso: string, base: number): Func[] =>
    Array.from({ length: count }, (_, i) => ({ name: `${prefix}_${i}`, dso, address: base + i * 0x40 }));
  const app = funcs('f', 400, EXE, 0x1000);
  const libc = funcs('c', 60, LIBC, 0x20000);
  const kernel = funcs('k', 60, KERNEL, 0x81000000);
  const roots: Func[] = [
    { name: 'main', dso: EXE, address: 0x900 },
    { name: '__libc_start_call_main', dso: LIBC, address: 0x2724a },
  ];

  // Each app function calls a few others: a fixed call graph the paths walk.
  const callees = app.map(() => Array.from({ length: 3 }, () => pick(app)));
  // A pool of call paths, as a real program has a bounded set of them; samples draw from it.
  const POOL = 40_000;
  const pool: Func[][] = Array.from({ length: POOL }, () => {
    let at = pick(app);
    const depth = 4 + Math.floor(next() * next() * 30);
    const path: Func[] = [roots[1], roots[0]];
    for (let d = 0; d < depth; d++) {
      path.push(at);
      at = next() < 0.85 ? callees[app.indexOf(at)][Math.floor(next() * 3)] : pick(app);
    }
    const leaf = next();
    if (leaf < 0.15) path.push(pick(libc));
    else if (leaf < 0.22) path.push(pick(libc), pick(kernel), pick(kernel));
    return path;
  });
  const threadCount = 4;
  const rate = 4000;
  const perThread = Math.ceil(samples / threadCount);
  const seconds = perThread / rate;

  const out = createWriteStream(path);
  let buffer = '';
  const flush = () =>
    new Promise<void>((resolve) => {
      if (out.write(buffer)) resolve();
      else out.once('drain', resolve);
      buffer = '';
    });
  const frameLine = (f: Func, offset: number) => `\t${(f.address + offset).toString(16)} ${f.name}+0x${offset.toString(16)} (${f.dso})\n`;

  return (async () => {
    let written = 0;
    for (let k = 0; k < perThread && written < samples; k++) {
      for (let t = 0; t < threadCount && written < samples; t++) {
        const time = 1000 + k / rate + t * 1e-6;
        // Hot paths drift with time and differ per thread: phases the range selection can pick out.
        const phase = Math.floor((k / perThread) * 8);
        const skewed = Math.floor(next() ** 3 * POOL);
        const stack = pool[(skewed + phase * 4999 + t * 7919) % POOL];
        buffer += `app ${1000}/${1000 + t} [00${t}] ${time.toFixed(6)}: 250000 cpu-clock:\n`;
        // The leaf's address varies (a loop's several instructions): several frames per function, as in real data.
        for (let i = stack.length - 1; i >= 0; i--) buffer += frameLine(stack[i], i === stack.length - 1 ? 4 * Math.floor(next() * 4) : 8);
        buffer += '\n';
        written++;
        if (buffer.length > 1 << 20) await flush();
      }
    }
    await flush();
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return { samples: written, threads: threadCount, seconds };
  })();
}
