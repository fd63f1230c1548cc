/**
 * After the profiler exits: turn what it wrote into the result file the
 * analysis opens (instruments.ts names the step), and check that there is
 * one. A missing or empty result is a failure with one line saying why.
 */

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { UserFacingError } from '../../src-shared/errors';
import type { FinishStep, RecordPlan } from './instruments';
import type { RecordingFormat } from '../../src-shared/record/options';
import { parseDtraceStacks, toCollapsed } from './outputs/dtrace';
import { parseTimeProfile } from './outputs/xctrace';

export interface FinishedResult {
  path: string;
  format: RecordingFormat;
}

/** Clears what a previous run may have left where this plan writes (tools that append or refuse to overwrite). */
export async function prepareOutput(plan: RecordPlan): Promise<void> {
  if (plan.precreate) {
    // Created empty by us, so the user owns it even when an elevated profiler fills it (elevation.ts).
    await writeFile(plan.writtenPath, '', { mode: 0o644 });
    return;
  }
  await rm(plan.writtenPath, { recursive: true, force: true });
  if (plan.finish.kind === 'heaptrack-suffix') {
    for (const suffix of HEAPTRACK_SUFFIXES) await rm(`${plan.writtenPath}${suffix}`, { force: true });
  }
}

const HEAPTRACK_SUFFIXES = ['.zst', '.gz'];

export async function finishResult(plan: RecordPlan, transcript: string): Promise<FinishedResult> {
  const path = await runFinishStep(plan.finish, plan, transcript);
  let size: number;
  try {
    const info = await stat(path);
    size = info.isDirectory() ? 1 : info.size;
  } catch {
    throw new UserFacingError(`${plan.tool} wrote no file (${path})${lastLine(transcript)}`);
  }
  if (size === 0) throw new UserFacingError(`${plan.tool} left ${path} empty${lastLine(transcript)}`);
  return { path, format: plan.format };
}

async function runFinishStep(step: FinishStep, plan: RecordPlan, transcript: string): Promise<string> {
  switch (step.kind) {
    case 'none':
      return plan.resultPath;
    case 'heaptrack-suffix': {
      // heaptrack picks zstd when installed, gzip otherwise; take whichever has data.
      for (const suffix of HEAPTRACK_SUFFIXES) {
        const candidate = `${plan.writtenPath}${suffix}`;
        const info = await stat(candidate).catch(() => null);
        if (info !== null && info.size > 0) return candidate;
      }
      return `${plan.writtenPath}${HEAPTRACK_SUFFIXES[0]}`;
    }
    case 'dtrace-to-collapsed': {
      const raw = await readFile(step.rawPath, 'utf8').catch(() => '');
      await writeFile(plan.resultPath, toCollapsed(parseDtraceStacks(raw)));
      return plan.resultPath;
    }
    case 'xctrace-export': {
      const xmlPath = `${step.tracePath}.xml`;
      const xpath = '/trace-toc/run[@number="1"]/data/table[@schema="time-profile"]';
      await runToFile(step.xctrace, ['export', '--input', step.tracePath, '--xpath', xpath], xmlPath);
      const stacks = parseTimeProfile(await readFile(xmlPath, 'utf8'));
      await writeFile(plan.resultPath, toCollapsed(stacks));
      return plan.resultPath;
    }
    case 'transcript':
      await writeFile(plan.resultPath, transcript);
      return plan.resultPath;
  }
}

function runToFile(file: string, args: string[], out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(out, 'w');
    const child = spawn(file, args, { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      closeSync(fd);
      reject(new UserFacingError(`${file}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new UserFacingError(`${file} ${args[0]} failed: ${stderr.trim().split('\n').pop() ?? `status ${code}`}`));
    });
  });
}

/** ": <the last line the terminal showed>", to say why a tool wrote nothing. */
export function lastLine(transcript: string): string {
  const lines = transcript
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== '^C');
  const last = lines.pop();
  return last === undefined ? '' : `: ${last.slice(0, 300)}`;
}
