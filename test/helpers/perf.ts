/**
 * Real tools for integration and e2e tests: compile a fixture program,
 * record it with `perf record`, convert with `perf script`, and read
 * `perf report`'s own numbers, so tests compare Heatline with perf on the
 * same recording instead of with numbers typed by hand.
 *
 * Everything lands under test-artifacts/ (gitignored). Every helper throws,
 * with the command line and its stderr, when a tool is missing or fails:
 * a machine without perf or gcc fails these tests, it never skips them.
 *
 * Exports (kept stable: the e2e tests import them):
 *   compileFixture(name)                 -> binary path
 *   recordPerf(binary, args, options?)   -> perf.data path
 *   perfScriptText(perfData, fields?, options?) -> .txt path of `perf script` output
 *   perfReportBySymbol(perfData)         -> { totalSamples, functions[] }
 *   perfReportBySrcline(perfData)        -> { totalSamples, lines[] }
 *   ARTIFACTS_DIR, FIXTURE_PROGRAMS_DIR
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');
export const FIXTURE_PROGRAMS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'programs');
const BUILD_DIR = join(ARTIFACTS_DIR, 'build');
const RECORDINGS_DIR = join(ARTIFACTS_DIR, 'recordings');

/** Flags of every fixture build: optimised like real code, with line tables and frame pointers for perf -g. */
export const FIXTURE_CFLAGS = ['-O2', '-g', '-fno-omit-frame-pointer'] as const;

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs `command args`; rejects with the command line, exit status and stderr unless it exits 0. */
function run(command: string, args: readonly string[], options: { stdoutFile?: string } = {}): Promise<RunResult> {
  const commandLine = [command, ...args].join(' ');
  return new Promise((resolvePromise, reject) => {
    const stdoutFd = options.stdoutFile === undefined ? null : openSync(options.stdoutFile, 'w');
    const child = spawn(command, args, { stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const closeFd = () => {
      if (stdoutFd !== null) closeSync(stdoutFd);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      closeFd();
      const why = error.code === 'ENOENT' ? `${command} is not installed (not found on PATH)` : error.message;
      reject(new Error(`${commandLine}: ${why}`));
    });
    child.on('close', (code, signal) => {
      closeFd();
      if (code === 0) resolvePromise({ stdout, stderr });
      else reject(new Error(`${commandLine}: exited with ${signal ?? `status ${code}`}\n${stderr.trim()}`));
    });
  });
}

/**
 * Compiles test/fixtures/programs/NAME.c into test-artifacts/build/NAME and
 * returns the binary's path. Rebuilds only when the source is newer than the
 * binary or the compiler command changed.
 */
export async function compileFixture(name: string): Promise<string> {
  const source = join(FIXTURE_PROGRAMS_DIR, `${name}.c`);
  if (!existsSync(source)) throw new Error(`compileFixture: no fixture program ${source}`);
  mkdirSync(BUILD_DIR, { recursive: true });
  const binary = join(BUILD_DIR, name);
  const stampFile = `${binary}.command`;
  const args = [...FIXTURE_CFLAGS, '-o', binary, source];
  const stamp = ['gcc', ...args].join(' ');
  const upToDate =
    existsSync(binary) &&
    statSync(binary).mtimeMs >= statSync(source).mtimeMs &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === stamp;
  if (upToDate) return binary;
  // Build beside the target and rename, so a concurrent reader never sees half a binary.
  const partial = `${binary}.${process.pid}.tmp`;
  await run('gcc', [...FIXTURE_CFLAGS, '-o', partial, source]);
  renameSync(partial, binary);
  writeFileSync(stampFile, stamp);
  return binary;
}

export interface RecordOptions {
  /** How perf unwinds call chains: frame pointers (default), DWARF, or no call chains. */
  callGraph?: 'fp' | 'dwarf' | 'none';
  /** Samples per second (default 1000). */
  frequency?: number;
  /** Output file; a bare name goes under test-artifacts/recordings/. Default: named after the binary and options. */
  out?: string;
}

/**
 * Runs `perf record -e cpu-clock -F FREQ [-g | --call-graph dwarf] -o OUT -- binary args...`
 * and returns OUT. cpu-clock is a software event, so it works without
 * hardware counters (VMs, containers), and every sample has the same period.
 */
export async function recordPerf(binary: string, args: string[], options: RecordOptions = {}): Promise<string> {
  const callGraph = options.callGraph ?? 'fp';
  const frequency = options.frequency ?? 1000;
  mkdirSync(RECORDINGS_DIR, { recursive: true });
  const digest = createHash('sha1').update(JSON.stringify(args)).digest('hex').slice(0, 8);
  const defaultName = `${basename(binary)}-${callGraph}-F${frequency}-${digest}.perf.data`;
  const out = outputPath(options.out ?? defaultName);
  mkdirSync(dirname(out), { recursive: true });
  const callGraphArgs = callGraph === 'fp' ? ['-g'] : callGraph === 'dwarf' ? ['--call-graph', 'dwarf'] : [];
  const partial = `${out}.${process.pid}.tmp`;
  await run('perf', ['record', '-e', 'cpu-clock', '-F', String(frequency), ...callGraphArgs, '-o', partial, '--', binary, ...args]);
  renameSync(partial, out);
  return out;
}

function outputPath(out: string): string {
  if (isAbsolute(out)) return out;
  return out.includes('/') ? resolve(REPO_ROOT, out) : join(RECORDINGS_DIR, out);
}

export interface PerfScriptOptions {
  /** `perf script -G`: print each sample's ip on its header line instead of the call chain. */
  hideCallGraph?: boolean;
}

/**
 * Writes `perf script -i perfData [-F fields] [-G]` to a .txt beside
 * perfData and returns its path. `fields` is perf's -F list, e.g.
 * ['+srcline'] or ['comm', 'tid', 'time', 'event', 'ip', 'sym', 'dso'].
 */
export async function perfScriptText(perfData: string, fields?: string[], options: PerfScriptOptions = {}): Promise<string> {
  const fieldArgs = fields && fields.length > 0 ? ['-F', fields.join(',')] : [];
  const graphArgs = options.hideCallGraph ? ['-G'] : [];
  let suffix = fields && fields.length > 0 ? `.${fields.join('_').replace(/[^A-Za-z0-9_]/g, '')}` : '';
  if (options.hideCallGraph) suffix += '.nograph';
  const out = `${perfData}${suffix}.txt`;
  await run('perf', ['script', '-i', perfData, ...fieldArgs, ...graphArgs], { stdoutFile: out });
  return out;
}

export interface PerfReportBySymbol {
  /** Exact sample count: the sum of the Samples column (the "# Samples:" header rounds to K). */
  totalSamples: number;
  /** As perf lists them, hottest first; `name` without its "[.] " / "[k] " prefix, `kernel` for "[k] ". */
  functions: { name: string; percent: number; samples: number; kernel: boolean }[];
}

/**
 * perf report's self cost per symbol:
 * `perf report -i F --stdio --no-children --sort symbol -g none --percent-limit 0 -n`.
 * `-n` adds the exact sample count per symbol.
 */
export async function perfReportBySymbol(perfData: string): Promise<PerfReportBySymbol> {
  const rows = await perfReportRows(perfData, 'symbol', 'Symbol');
  return {
    totalSamples: sumSamples(rows),
    functions: rows.map((row) => ({ name: row.key.replace(/^\[.\] /, ''), percent: row.percent, samples: row.samples, kernel: row.key.startsWith('[k] ') })),
  };
}

/**
 * The program's own hottest function in perf report: the first that is not
 * the kernel's. (On a loaded VM a kernel wait, such as an IPI spinning for a
 * descheduled vCPU, can outweigh a spinning program in a one-second recording.)
 */
export function hottestUserFunction(report: PerfReportBySymbol): string | undefined {
  return report.functions.find((f) => !f.kernel)?.name;
}

export interface PerfReportBySrcline {
  totalSamples: number;
  /** `srcline` as perf prints it ("cpu_hot.c:38", or "??:0"); file and line split from it (line -1 when unknown). */
  lines: { srcline: string; file: string; line: number; percent: number; samples: number }[];
}

/** perf report's self cost per source line of the sampled ip (`--sort srcline`). */
export async function perfReportBySrcline(perfData: string): Promise<PerfReportBySrcline> {
  const rows = await perfReportRows(perfData, 'srcline', 'Source:Line');
  return {
    totalSamples: sumSamples(rows),
    lines: rows.map((row) => {
      const colon = row.key.lastIndexOf(':');
      const line = colon === -1 ? NaN : Number(row.key.slice(colon + 1));
      return {
        srcline: row.key,
        file: colon === -1 ? row.key : row.key.slice(0, colon),
        line: Number.isInteger(line) && line > 0 ? line : -1,
        percent: row.percent,
        samples: row.samples,
      };
    }),
  };
}

interface ReportRow {
  percent: number;
  samples: number;
  key: string;
}

function sumSamples(rows: ReportRow[]): number {
  return rows.reduce((sum, row) => sum + row.samples, 0);
}

/**
 * The columns of perf report's table: one per run of dots in the rule under
 * the titles, named by the first title that starts over it. The rule is
 * exact; the title line is not always: perf formats it in a buffer of about
 * a thousand characters, so behind a key column wider than that (a long JIT
 * name) the later titles (IPC) land over the key's dots.
 */
function reportColumns(titleLine: string, ruleLine: string): { title: string; start: number; end: number }[] {
  // Titles are separated by two spaces or more ("[IPC Coverage]" is one title).
  const titles = [...titleLine.matchAll(/[^\s#]+(?: \S+)*/g)].map((m) => ({ title: m[0], at: m.index }));
  return [...ruleLine.matchAll(/\.+/g)].map((run) => {
    const start = run.index;
    const end = start + run[0].length;
    return { title: titles.find((t) => t.at >= start && t.at < end)?.title ?? '', start, end };
  });
}

/**
 * Runs perf report sorted by one key and returns the rows of its first event.
 * Columns are found from the dotted rule under the column titles, whose dot
 * runs are exactly as wide as the columns: names may hold spaces, and perf
 * adds columns (IPC) after the key.
 */
async function perfReportRows(perfData: string, sort: string, keyTitle: string): Promise<ReportRow[]> {
  const args = ['report', '-i', perfData, '--stdio', '--no-children', '--sort', sort, '-g', 'none', '--percent-limit', '0', '-n'];
  const { stdout } = await run('perf', args);
  const fail = (what: string) => new Error(`perf ${args.join(' ')}: ${what}\n${stdout.slice(0, 2000)}`);
  const lines = stdout.split('\n');
  const rule = lines.findIndex((line) => /^# \.+/.test(line));
  if (rule < 1) throw fail('no column rule ("# ........") in the output');
  const columns = reportColumns(lines[rule - 1], lines[rule]);
  const overhead = columns.find((c) => c.title === 'Overhead');
  const samples = columns.find((c) => c.title === 'Samples');
  const key = columns.find((c) => c.title === keyTitle);
  if (!overhead || !samples || !key) throw fail(`expected the columns Overhead, Samples and ${keyTitle}`);

  const rows: ReportRow[] = [];
  for (let i = rule + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('# Samples:')) break; // the next event's section
    if (line.startsWith('#') || line.trim() === '') continue;
    const percentText = line.slice(overhead.start, overhead.end).trim();
    const samplesText = line.slice(samples.start, samples.end).trim();
    if (!/^\d+\.\d+%$/.test(percentText) || !/^\d+$/.test(samplesText)) throw fail(`unexpected row: ${line}`);
    rows.push({ percent: Number(percentText.slice(0, -1)), samples: Number(samplesText), key: line.slice(key.start, key.end).trimEnd() });
  }
  if (rows.length === 0) throw fail('no rows');
  return rows;
}

/**
 * A C++ name as perf report prints it: without its parameter list, unless
 * -v (`detail::sprp`), and without the return type a function template's
 * name carries (`v8::internal::CalculateLineEndsImpl<unsigned char>`).
 * Heatline names them as c++filt does (`detail::sprp(unsigned long long,
 * unsigned long long)`, `void v8::internal::CalculateLineEndsImpl<unsigned
 * char>(std::vector<int, std::allocator<int> >*, ...)`).
 */
export function withoutParameters(name: string): string {
  const trimmed = name.replace(/\s*(const|volatile|&|&&)*$/, '');
  if (!trimmed.endsWith(')')) return name;
  let depth = 0;
  for (let i = trimmed.length - 1; i >= 0; i--) {
    if (trimmed[i] === ')') depth++;
    else if (trimmed[i] === '(' && --depth === 0) return i > 0 ? withoutReturnType(trimmed.slice(0, i)) : name;
  }
  return name;
}

/** `name` from after its last space outside <>, () and [] (a template's return type before it), unless that is an operator's. */
function withoutReturnType(name: string): string {
  if (!name.includes('<')) return name;
  let depth = 0;
  for (let i = name.length - 1; i > 0; i--) {
    const c = name[i];
    if (c === '>' || c === ')' || c === ']') depth++;
    else if (c === '<' || c === '(' || c === '[') depth--;
    else if (c === ' ' && depth === 0) return /(^|[\s:])operator$/.test(name.slice(0, i)) ? name : name.slice(i + 1);
  }
  return name;
}
