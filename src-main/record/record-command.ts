/**
 * `heatline record`: the same recorder as the window, with the session's
 * terminal mirrored on this one. Output goes to stdout; keys typed here go to
 * the program (raw mode when stdin is a terminal, so Ctrl+C arrives as a byte
 * and becomes Stop); SIGINT/SIGTERM also mean Stop. When the file is
 * written its report is printed: counters and syscall summaries as tables,
 * everything else through the `report` the CLI passes in (`heatline report`).
 *
 * Exit codes as in cli.ts: 0 done, 1 the recording failed (one line), 2 bad usage.
 */

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { oneLineMessage } from '../../src-shared/errors';
import { probeCapabilities, type Capabilities } from './capabilities';
import { callGraphModes, instrumentIds, type InstrumentOptions, type RecordRequestInput } from '../../src-shared/record/options';
import { RECORD_USAGE } from './record-usage';
import { formatCounterTable, parsePerfStatCsv } from './outputs/perf-stat';
import { formatSyscallTable, parseStraceSummary } from './outputs/strace';
import { NeedsElevationError, startRecording, type Recording } from './recorder';
import { readFile } from 'node:fs/promises';

export interface RecordCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadStream;
  /** Prints the report of a file the importers read (cli.ts's `report`). */
  report(file: string): Promise<void>;
  resourcesDir: string;
  /** For tests: a hand-made machine. */
  caps?: Capabilities;
}

class Usage extends Error {}

export async function runRecordCommand(args: string[], io: RecordCommandIo): Promise<number> {
  let input: RecordRequestInput;
  let outputFile: string | undefined;
  try {
    ({ input, outputFile } = parseRecordArgs(args));
  } catch (error) {
    if (!(error instanceof Usage)) throw error;
    io.stderr.write(`heatline: ${error.message}\nusage:\n${RECORD_USAGE}\n`);
    return 2;
  }
  const caps = io.caps ?? (await probeCapabilities());
  let recording: Recording;
  try {
    recording = await startRecording(
      input,
      { caps, resourcesDir: io.resourcesDir, outputDir: process.cwd(), outputFile, cwd: process.cwd(), sudoPromptText: '[sudo] password: ' },
      (event) => {
        if (event.type === 'output') io.stdout.write(event.data);
        else if (event.type === 'state' && event.message !== null && event.state !== 'starting' && event.state !== 'failed') io.stderr.write(`\nheatline: ${event.message}\n`);
      },
    );
  } catch (error) {
    const hint = error instanceof NeedsElevationError ? ` Run again with ${error.decision.remedies.some((r) => r.method === 'sudo') ? '--sudo' : '--pkexec'}.` : '';
    io.stderr.write(`heatline: ${oneLineMessage(error)}${hint}\n`);
    return 1;
  }

  const stop = () => recording.stop();
  const onKeys = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (io.stdin.isTTY && text.includes('\x03')) stop();
    else recording.write(text);
  };
  const raw = io.stdin.isTTY === true;
  if (raw) io.stdin.setRawMode(true);
  io.stdin.on('data', onKeys);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const result = await recording.result;
    io.stderr.write(`\nheatline: wrote ${result.path}\n`);
    if (result.format === 'perf-stat-csv') io.stdout.write(`${formatCounterTable(parsePerfStatCsv(await readFile(result.path, 'utf8')))}\n`);
    else if (result.format === 'strace-summary') io.stdout.write(`${formatSyscallTable(parseStraceSummary(await readFile(result.path, 'utf8')))}\n`);
    else if (result.format !== 'dtruss' && result.format !== 'xctrace-xml') await io.report(result.path);
    return 0;
  } catch (error) {
    io.stderr.write(`\nheatline: ${oneLineMessage(error)}\n`);
    return 1;
  } finally {
    io.stdin.off('data', onKeys);
    if (raw) io.stdin.setRawMode(false);
    io.stdin.pause();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The request `heatline record ARGS` stands for; throws Usage for bad arguments. */
export function parseRecordArgs(args: string[]): { input: RecordRequestInput; outputFile?: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        instrument: { type: 'string', default: 'cpu' },
        o: { type: 'string' },
        pid: { type: 'string' },
        duration: { type: 'string' },
        frequency: { type: 'string' },
        'call-graph': { type: 'string' },
        events: { type: 'string' },
        repeat: { type: 'string' },
        timeline: { type: 'boolean', default: false },
        sudo: { type: 'boolean', default: false },
        pkexec: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new Usage((error as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  const number = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Usage(`--${name} takes a number of at least ${min}, not "${text}"`);
    return value;
  };
  const pid = number('pid', values.pid, 1);
  if (pid !== undefined && positionals.length > 0) throw new Usage('give either --pid N or -- CMD, not both');
  if (pid === undefined && positionals.length === 0) throw new Usage('record needs a command after -- or --pid N');
  if (values.sudo && values.pkexec) throw new Usage('choose one of --sudo and --pkexec');
  const instrument = values.instrument;
  if (!(instrumentIds as readonly string[]).includes(instrument)) throw new Usage(`--instrument takes ${instrumentIds.join(', ')}, not "${instrument}"`);
  const callGraph = values['call-graph'];
  if (callGraph !== undefined && !(callGraphModes as readonly string[]).includes(callGraph)) throw new Usage(`--call-graph takes fp, dwarf or lbr, not "${callGraph}"`);
  const options = {
    instrument,
    ...(instrument === 'cpu' || instrument === 'offcpu' ? { callGraph } : {}),
    ...(instrument === 'cpu' ? { frequency: number('frequency', values.frequency, 1) } : {}),
    ...(instrument === 'counters' ? { events: values.events?.split(',').filter((e) => e !== ''), repeat: number('repeat', values.repeat, 1) } : {}),
    ...(instrument === 'syscalls' ? { mode: values.timeline ? 'timeline' : 'summary' } : {}),
  } as InstrumentOptions;
  const input: RecordRequestInput = {
    target: pid !== undefined ? { kind: 'attach', pid } : { kind: 'launch', command: positionals, cwd: process.cwd() },
    options,
    durationSeconds: number('duration', values.duration, 0.1) ?? null,
    elevation: values.sudo ? 'sudo' : values.pkexec ? 'pkexec' : null,
    cols: process.stdout.columns ?? 120,
    rows: process.stdout.rows ?? 30,
  };
  return { input, outputFile: values.o === undefined ? undefined : resolve(values.o) };
}
