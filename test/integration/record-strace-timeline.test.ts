/**
 * The recorder's system call timeline opens in the analysis views, as the
 * window uses it (through dispatchCall): Record → System calls → Timeline on
 * syscall_threads finishes with opensAsProfile, and openFile on the result
 * gives a strace profile whose getppid calls number what the file's
 * getppid lines say (counted by awk, finished calls only).
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { dispatchCall } from '../../src-main/host/dispatch';
import { createHost } from '../../src-main/host/host';
import { createRecordingServices } from '../../src-main/host/record-handlers';
import type { EventPayload, HostEventName, OpenedProfile } from '../../src-shared/contract';
import { stringAt } from '../../src-shared/profile/model';
import { recordRequestSchema } from '../../src-shared/record/options';
import type { RecordingOutcome, StartedRecording } from '../../src-shared/record/types';
import { compileFixture } from '../helpers/perf';
import { recordingsDir, RESOURCES_DIR, waitFor } from '../helpers/record';

async function call<T>(host: ReturnType<typeof createHost>, name: string, args: unknown): Promise<T> {
  const outcome = await dispatchCall(host, name, args);
  if (!outcome.ok) throw new Error(`${name}: ${outcome.error}`);
  return outcome.value as T;
}

test('a strace timeline recording opens as a profile', async () => {
  const binary = await compileFixture('syscall_threads');
  const events: { name: HostEventName; payload: unknown }[] = [];
  const recording = createRecordingServices({ dataDir: recordingsDir('strace-timeline'), resourcesDir: RESOURCES_DIR, interruptGraceMs: 8000, termGraceMs: 3000 });
  const host = createHost({
    mode: 'browser',
    version: 't',
    emit: <E extends HostEventName>(event: E, payload: EventPayload<E>) => void events.push({ name: event, payload }),
    mayOpenPath: (path) => recording.isRecordingResult(path),
    recording,
  });
  try {
    const request = recordRequestSchema.parse({ target: { kind: 'launch', command: [binary, '50'] }, options: { instrument: 'syscalls', mode: 'timeline' } });
    const started = await call<StartedRecording>(host, 'startRecording', { request });
    const outcome = await waitFor(
      'recordingFinished',
      () => events.find((e) => e.name === 'recordingFinished' && (e.payload as RecordingOutcome).sessionId === started.sessionId)?.payload as RecordingOutcome | undefined,
      60_000,
    );
    assert.equal(outcome.error, null);
    assert.equal(outcome.result?.format, 'strace-timeline');
    assert.equal(outcome.opensAsProfile, true);

    const path = outcome.result!.path;
    const opened = await call<OpenedProfile>(host, 'openFile', { path, taskId: 'strace1' });
    const { profile } = opened;
    assert.equal(profile.meta.format, 'strace');
    const awkCount = Number(
      execFileSync('awk', ['$NF ~ /^<[0-9.]+>$/ && ($3 ~ /^getppid\\(/ || ($3 == "<..." && $4 == "getppid")) { n++ } END { print n + 0 }', path], { encoding: 'utf8' }).trim(),
    );
    assert.equal(awkCount, 100, 'two threads of 50 getppid calls in the file');
    let ours = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const frame = profile.stacks.frame[profile.samples.stack[i]];
      if (stringAt(profile, profile.funcs.name[profile.frames.func[frame]]) === 'getppid') ours++;
    }
    assert.equal(ours, awkCount);
  } finally {
    host.dispose();
  }
});
