/**
 * Compiles C and C++ fixture programs at test time, with the exact flags a
 * test names, into test-artifacts/symbols/ (gitignored). The symbolization
 * tests compare Heatline with binutils on these binaries, so the binaries
 * must come from this machine's compiler, never from the repository.
 *
 * A missing compiler fails the test with the command line; it never skips.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');
export const FIXTURE_PROGRAMS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'programs');
export const SYMBOLS_ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts', 'symbols');

/** Runs a tool and returns its stdout; throws with the command line and stderr when it fails. */
export function runTool(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    const why = e.code === 'ENOENT' ? `${command} is not installed (not found on PATH)` : `exit ${e.status}: ${String(e.stderr ?? e.message).trim()}`;
    throw new Error(`${[command, ...args].join(' ')}: ${why}`);
  }
}

/** A fresh directory under test-artifacts/symbols for one test file's outputs. */
export function artifactDir(prefix: string): string {
  mkdirSync(SYMBOLS_ARTIFACTS_DIR, { recursive: true });
  return mkdtempSync(join(SYMBOLS_ARTIFACTS_DIR, `${prefix}-`));
}

export interface CompileOptions {
  /** Source files: names in test/fixtures/programs, or absolute paths. */
  sources: string[];
  /** Output path. */
  out: string;
  /** gcc for C, g++ for C++ (default: by the first source's extension). */
  compiler?: 'gcc' | 'g++';
  /** Flags, e.g. ['-O2', '-g', '-gdwarf-4', '-no-pie']. */
  flags: string[];
}

/** Compiles and links; returns the output path. */
export function compile(options: CompileOptions): string {
  const sources = options.sources.map((s) => (s.startsWith('/') ? s : join(FIXTURE_PROGRAMS_DIR, s)));
  const compiler = options.compiler ?? (/\.(cc|cpp|cxx)$/.test(sources[0]) ? 'g++' : 'gcc');
  runTool(compiler, [...options.flags, ...sources, '-o', options.out]);
  return options.out;
}

/**
 * Like compile(), into test-artifacts/symbols/cache/<hash>/<name>, where the
 * hash covers the compiler, flags and source text: the test files of one run
 * share builds instead of compiling the same fixture four times.
 */
export function compileCached(name: string, options: Omit<CompileOptions, 'out'>): string {
  const sources = options.sources.map((s) => (s.startsWith('/') ? s : join(FIXTURE_PROGRAMS_DIR, s)));
  const compiler = options.compiler ?? (/\.(cc|cpp|cxx)$/.test(sources[0]) ? 'g++' : 'gcc');
  const hash = createHash('sha256');
  hash.update(runTool(compiler, ['--version']));
  hash.update(JSON.stringify(options.flags));
  for (const s of sources) hash.update(readFileSync(s));
  const dir = join(SYMBOLS_ARTIFACTS_DIR, 'cache', hash.digest('hex').slice(0, 16));
  const out = join(dir, name);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const partial = `${out}.part-${process.pid}`;
  compile({ ...options, sources, compiler, out: partial });
  renameSync(partial, out);
  return out;
}

/** The fixture builds every symbolization test runs against. */
export interface FixtureBuild {
  label: string;
  path: string;
  cxx: boolean;
}

/**
 * The C and C++ fixtures at -O2 -g, in DWARF 4 and 5, PIE and not: eight
 * binaries with inlining, templates, cold splits and header code.
 */
export function fixtureBuilds(): FixtureBuild[] {
  const builds: FixtureBuild[] = [];
  for (const [source, cxx] of [['cpu_hot.c', false], ['inline_cpp.cpp', true]] as const) {
    for (const dwarf of ['-gdwarf-4', '-gdwarf-5']) {
      for (const pie of ['-pie', '-no-pie']) {
        const flags = ['-O2', '-g', dwarf, '-fno-omit-frame-pointer', pie === '-pie' ? '-fPIE' : '-fno-PIE', pie];
        const label = `${source} ${dwarf} ${pie}`;
        builds.push({ label, cxx, path: compileCached(`${source.replace(/\..*$/, '')}${dwarf}${pie}`, { sources: [source], flags }) });
      }
    }
  }
  return builds;
}
