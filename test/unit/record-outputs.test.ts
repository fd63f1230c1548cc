/**
 * Parsers of what the profilers print, on sample outputs written after each
 * tool's documented format (perf-stat(1) CSV, strace(1) -c, dtrace(1)
 * printa of ustack() aggregations, dtruss(1m), xctrace export's
 * time-profile table) and the macOS ps columns.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDtraceStacks, toCollapsed } from '../../src-main/record/outputs/dtrace';
import { parseDtruss } from '../../src-main/record/outputs/dtruss';
import { formatCounterTable, parsePerfStatCsv } from '../../src-main/record/outputs/perf-stat';
import { parseStraceSummary } from '../../src-main/record/outputs/strace';
import { parseTimeProfile } from '../../src-main/record/outputs/xctrace';
import { ownFirst, parseProcStat, parsePsOutput } from '../../src-main/record/processes';

test('perf stat CSV with --repeat: values, units, variance, metrics, unsupported events, commas in event names', () => {
  const text = [
    '# started on Sat Nov 21 12:22:53 2026',
    '',
    '145.33,msec,task-clock,0.82%,145332335,100.00,0.214,CPUs utilized',
    '43,,context-switches,92.06%,145332335,100.00,158.122,/sec',
    '<not supported>,,cycles,0.00%,0,100.00,,',
    '1200,,cpu/event=0x3c,umask=0x0/,1.50%,145332335,50.00,,',
  ].join('\n');
  const rows = parsePerfStatCsv(text);
  assert.deepEqual(rows[0], { event: 'task-clock', value: 145.33, unit: 'msec', status: 'counted', variancePercent: 0.82, enabledPercent: 100, metric: { value: 0.214, unit: 'CPUs utilized' } });
  assert.equal(rows[1].variancePercent, 92.06);
  assert.deepEqual([rows[2].value, rows[2].status], [null, 'not supported']);
  assert.deepEqual([rows[3].event, rows[3].value, rows[3].variancePercent, rows[3].enabledPercent], ['cpu/event=0x3c,umask=0x0/', 1200, 1.5, 50]);
  assert.match(formatCounterTable(rows), /task-clock\s+± 0\.82%/);
});

test('perf stat CSV without --repeat has no variance column', () => {
  const rows = parsePerfStatCsv('44.56,msec,task-clock,44556771,100.00,0.712,CPUs utilized\n51,,context-switches,44556771,100.00,1.145,K/sec\n');
  assert.deepEqual(rows.map((r) => [r.event, r.value, r.variancePercent]), [['task-clock', 44.56, null], ['context-switches', 51, null]]);
});

test('strace -c: rows by calls, blank errors, the total left out, personalities summed', () => {
  const text = `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 92.10    0.000759           0      4735           getppid
  5.00    0.000040          10         4         2 openat
------ ----------- ----------- --------- --------- ----------------
100.00    0.000799           0      4739         2 total
System call usage summary for 32 bit mode:
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
100.00    0.000010           5         2           openat
`;
  const rows = parseStraceSummary(text);
  assert.deepEqual(rows.map((r) => [r.syscall, r.calls, r.errors]), [['getppid', 4735, 0], ['openat', 6, 2]]);
});

test('dtrace ustack aggregation -> collapsed stacks, root first, offsets dropped, unknown frames kept', () => {
  const text = `

              libsystem_kernel.dylib\`__semwait_signal+0xa
              a.out\`nap+0x1c
              a.out\`main+0x40
              dyld\`start+0x1f0
                3

              a.out\`work_40+0x2d
              a.out\`round_of_work+0x14
              a.out\`main+0x40
              0x10000af00
              42
`;
  const stacks = parseDtraceStacks(text);
  assert.deepEqual(stacks, [
    { frames: ['start', 'main', 'nap', '__semwait_signal'], count: 3 },
    { frames: ['0x10000af00', 'main', 'round_of_work', 'work_40'], count: 42 },
  ]);
  assert.equal(toCollapsed(stacks), 'start;main;nap;__semwait_signal 3\n0x10000af00;main;round_of_work;work_40 42\n');
});

test('dtruss -f -d -e lines and the -c count table; program output in between is skipped', () => {
  const text = [
    '  PID/THRD  RELATIVE  ELAPSD SYSCALL(args) \t\t = return',
    ' 4711/0x1a2b:      1043      12 open("/etc/hosts\\0", 0x0, 0x0)\t\t = 3 0',
    'hello from the program',
    ' 4711/0x1a2b:      1100       3 read(0x3, "127.0.0.1 localhost\\n\\0", 0x1000)\t\t = 20 0',
    ' 4712/0x1a2c:      1200       1 getpid(0x0, 0x0, 0x0)\t\t = 4712 0',
  ].join('\n');
  const out = parseDtruss(text);
  assert.equal(out.calls.length, 3);
  assert.deepEqual(out.calls[0], { pid: 4711, thread: '0x1a2b', relativeUs: 1043, elapsedUs: 12, syscall: 'open', args: '"/etc/hosts\\0", 0x0, 0x0', result: '3 0' });
  assert.deepEqual([...out.counts], [['open', 1], ['read', 1], ['getpid', 1]]);
  const counted = parseDtruss('CALL                                        COUNT\naccess                                          1\nread                                           12\n');
  assert.deepEqual([...counted.counts], [['access', 1], ['read', 12]]);
});

test('xctrace time-profile export: ids and refs resolved, frames leaf first become root first', () => {
  const xml = `<?xml version="1.0"?>
<trace-query-result>
<node xpath='//trace-toc[1]/run[1]/data[1]/table[4]'><schema name="time-profile"><col><mnemonic>time</mnemonic><name>Sample Time</name><engineering-type>sample-time</engineering-type></col><col><mnemonic>weight</mnemonic><name>Weight</name><engineering-type>weight</engineering-type></col><col><mnemonic>stack</mnemonic><name>Backtrace</name><engineering-type>backtrace</engineering-type></col></schema>
<row><sample-time id="1" fmt="00:00.001.000">1000000</sample-time><thread id="2" fmt="Main Thread 0x1a2b (a.out, pid: 567)"><tid id="3" fmt="0x1a2b">6699</tid></thread><weight id="4" fmt="1.00 ms">1000000</weight><backtrace id="5"><frame id="6" name="work_40" addr="0x100003f50"><binary id="7" name="a.out" UUID="0E0A" arch="arm64" load-addr="0x100000000" path="/tmp/a.out"/></frame><frame id="8" name="main" addr="0x100003fa0"><binary ref="7"/></frame></backtrace></row>
<row><sample-time id="9" fmt="00:00.002.000">2000000</sample-time><thread ref="2"/><weight ref="4"/><backtrace ref="5"/></row>
<row><sample-time id="10" fmt="00:00.003.000">3000000</sample-time><thread ref="2"/><weight ref="4"/><backtrace id="11"><frame id="12" name="operator&lt;&lt;(std::ostream&amp;)" addr="0x100003e00"><binary ref="7"/></frame><frame ref="8"/></backtrace></row>
<row><sample-time id="13" fmt="00:00.004.000">4000000</sample-time><thread ref="2"/><weight ref="4"/><sentinel/></row>
</node></trace-query-result>`;
  const stacks = parseTimeProfile(xml);
  assert.deepEqual(stacks, [
    { frames: ['main', 'work_40'], count: 2, weightNs: 2_000_000 },
    { frames: ['main', 'operator<<(std::ostream&)'], count: 1, weightNs: 1_000_000 },
  ]);
});

test('/proc/PID/stat with blanks and parentheses in the name', () => {
  const stat = '1234 (my (weird) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 1 0 100 1000 50';
  assert.deepEqual(parseProcStat(stat), { comm: 'my (weird) prog', ppid: 1, utime: 250, stime: 17 });
});

test('macOS ps output: command lines with blanks, names from the comm run, own processes first', () => {
  const table = `    1     0 root       0.0  12345 /sbin/launchd
  501   501 alice     12.5  20480 /Applications/My App.app/Contents/MacOS/My App --flag value
  777     0 root      50.0   1024 /usr/sbin/syslogd
`;
  const names = `    1 /sbin/launchd
  501 /Applications/My App.app/Contents/MacOS/My App
  777 /usr/sbin/syslogd
`;
  const rows = parsePsOutput(table, names);
  assert.deepEqual(rows[1], { pid: 501, uid: 501, user: 'alice', name: 'My App', command: '/Applications/My App.app/Contents/MacOS/My App --flag value', cpuPercent: 12.5, rssBytes: 20480 * 1024 });
  assert.deepEqual(ownFirst(rows, 501).map((r) => r.pid), [501, 777, 1]);
});
