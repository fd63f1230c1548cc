/**
 * The `heatline` command: report, annotate, convert and serve, over the same importers
 * and analysis as the window. Exit codes: 0 done, 1 bad input (one line on
 * stderr naming the file), 2 bad usage (the usage on stderr).
 */

import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserFacingError, oneLineMessage } from '../src-shared/errors';
import { toCollapsed } from '../src-shared/export/collapsed';
import { toSpeedscope } from '../src-shared/export/speedscope';
import type { Profile } from '../src-shared/profile/model';
import { buildReport, formatReportText } from '../src-shared/report';
import { loadProfile } from './import/load';
import { fileSource } from './import/source';
import { RECORD_USAGE } from './record/record-usage';
import { parseRemap, runAnnotate } from './source/annotate-command';

const USAGE = `usage:
  heatline report FILE [--json] [--top N] [--inlined]
                                               the hottest functions, lines and threads (N defaults to 50);
                                               an inlined function's cost is its caller's, as in perf report,
                                               unless --inlined lists inlined functions on their own
  heatline annotate FILE [--function NAME] [--json] [--remap OLD=NEW]...
                                               a function's source with per-line costs (default: the hottest)
  heatline convert FILE --to speedscope|collapsed [-o OUT]
  heatline serve [--port N] [--record] [FILE...]
                                               the app in a browser, on 127.0.0.1 with a secret URL;
                                               --record lets the window record (it runs any command as you)
${RECORD_USAGE}
  heatline --help | --version`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'report':
      return report(rest);
    case 'annotate':
      return annotate(rest);
    case 'convert':
      return convert(rest);
    case 'serve':
      return serve(rest);
    case 'record': {
      // Loaded on demand, as `serve`'s server is: `report` should not pay for starting them.
      const { runRecordCommand } = await import('./record/record-command');
      return runRecordCommand(rest, {
        stdout: process.stdout,
        stderr: process.stderr,
        stdin: process.stdin,
        resourcesDir: join(packageRoot() ?? process.cwd(), 'resources'),
        report: async (file) => void (await report([file])),
      });
    }
    case '--version':
    case '-v':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
  }
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, top: { type: 'string', default: '50' }, inlined: { type: 'boolean', default: false } },
    }),
  );
  const file = onePositional(positionals, 'report');
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top takes a whole number above 0, not "${values.top}"`);
  const profile = await load(file);
  const result = buildReport(profile, top, values.inlined ? 'separate' : 'merged');
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${formatReportText(result, profile.meta.sourceName)}\n`);
  printWarnings(profile);
  return 0;
}

async function annotate(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: { function: { type: 'string' }, json: { type: 'boolean', default: false }, remap: { type: 'string', multiple: true } },
    }),
  );
  const file = onePositional(positionals, 'annotate');
  const remaps = (values.remap ?? []).map((text) => parseRemap(text) ?? usage(`--remap takes OLD=NEW, not "${text}"`));
  const profile = await load(file);
  const code = await runAnnotate(profile, { functionName: values.function, json: values.json, remaps }, process);
  printWarnings(profile);
  return code;
}

function usage(message: string): never {
  throw new UsageError(message);
}

async function convert(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({ args, allowPositionals: true, options: { to: { type: 'string' }, o: { type: 'string' } } }),
  );
  const file = onePositional(positionals, 'convert');
  if (values.to !== 'speedscope' && values.to !== 'collapsed') {
    throw new UsageError('convert needs --to speedscope or --to collapsed');
  }
  const profile = await load(file);
  const text = values.to === 'speedscope' ? JSON.stringify(toSpeedscope(profile)) : toCollapsed(profile);
  if (values.o) await writeFile(values.o, text);
  else process.stdout.write(text);
  printWarnings(profile);
  return 0;
}

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({ args, allowPositionals: true, options: { port: { type: 'string', default: '0' }, record: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } }),
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes 0-65535, not "${values.port}"`);
  const rendererDir = join(__dirname, '..', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UserFacingError(`the window is not built (${rendererDir} has no index.html); run npm run build`);
  }
  for (const path of positionals) if (!existsSync(path)) throw new UserFacingError(`${path}: no such file`);
  const { startServer } = await import('./web/server');
  const server = await startServer({ port, rendererDir, openPaths: positionals, version: packageVersion(), record: values.record });
  process.stdout.write(`Heatline is serving on ${server.url}\n(open that URL in a browser on this machine; Ctrl+C stops)\n`);
  process.stdout.write(values.record ? 'Recording is on: whoever has the URL can run commands as you.\n' : 'Recording is off (heatline serve --record turns it on).\n');
  // The named files are importing already; a file that cannot be read is said here too, not only in the window.
  void server.earlyImports.then((outcomes) => {
    for (const { error } of outcomes) if (error !== null && error !== 'cancelled') process.stderr.write(`heatline: ${error}\n`);
  });
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** parseArgs (strict by default) throws on unknown options: that is a usage error. */
function parse<T>(parseArguments: () => T): T {
  try {
    return parseArguments();
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function onePositional(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one FILE`);
  return positionals[0];
}

/** `-` is standard input, as for perf report -i - (perf record -o - | heatline report -). */
async function load(path: string): Promise<Profile> {
  return loadProfile(await fileSource(path === '-' ? '/dev/stdin' : path, { pipes: true }));
}

function printWarnings(profile: Profile): void {
  for (const warning of profile.meta.warnings) process.stderr.write(`heatline: warning: ${profile.meta.sourceName}: ${warning}\n`);
}

/** The folder of our package.json: out/main/cli.js and src-main/cli.ts sit at different depths below it. */
function packageRoot(): string | null {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'heatline') return dir;
  }
  return null;
}

function packageVersion(): string {
  const root = packageRoot();
  if (root === null) return '0.0.0';
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
}

function fail(error: unknown): never {
  if (error instanceof UsageError) {
    process.stderr.write(`heatline: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`heatline: ${oneLineMessage(error)}\n`);
  process.exit(1);
}

/**
 * Exits once stdout and stderr have taken everything written: a pipe takes
 * 64 KiB at once and the rest is written as the reader drains it, which
 * process.exit() alone would cut off (a big `report --json` into `| jq`).
 * A write's callback runs after the writes before it.
 */
function exitWhenWritten(code: number): void {
  let open = 2;
  const written = () => {
    if (--open === 0) process.exit(code);
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
}

// A stray rejection or exception still ends as one line, never a stack trace.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main(process.argv.slice(2)).then(exitWhenWritten, fail);
