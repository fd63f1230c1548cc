/**
 * `perf stat -x,` output (perf's CSV mode) as a table: one row per event
 * with its value, unit, and with --repeat the variance perf reports (the
 * relative standard deviation of the mean over the runs, in %).
 *
 * Field order (tools/perf/Documentation/perf-stat.txt, "CSV FORMAT"):
 *   value, unit, event, [variance%,] run time, % of time counted, metric value, metric unit
 * The variance field is there only with --repeat. An event name can hold
 * commas (cpu/event=0x3c,umask=0/), so the fixed fields are taken from both
 * ends and the event is what is left in the middle.
 */

import type { CounterRow } from '../../../src-shared/record/types';

export type { CounterRow };

export function parsePerfStatCsv(text: string): CounterRow[] {
  const rows: CounterRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',');
    if (fields.length < 7) continue;
    const tail = fields.slice(-4);
    const head = fields.slice(0, -4);
    const variance = head.length >= 4 && /^-?[\d.]+%$/.test(head[head.length - 1]) ? head.pop()! : null;
    const [valueText, unit] = head;
    const event = head.slice(2).join(',');
    const status = valueText === '<not counted>' ? 'not counted' : valueText === '<not supported>' ? 'not supported' : 'counted';
    const metricValue = Number.parseFloat(tail[2]);
    rows.push({
      event,
      value: status === 'counted' ? Number(valueText) : null,
      unit,
      status,
      variancePercent: variance === null ? null : Number.parseFloat(variance),
      enabledPercent: tail[1] === '' ? null : Number.parseFloat(tail[1]),
      metric: Number.isFinite(metricValue) && tail[3] !== '' ? { value: metricValue, unit: tail[3] } : null,
    });
  }
  return rows;
}

/** The table as the CLI prints it: value, unit, event, ± variance, metric. */
export function formatCounterTable(rows: CounterRow[]): string {
  const cells = rows.map((row) => [
    row.value === null ? `<${row.status}>` : row.value.toLocaleString('en-US', { maximumFractionDigits: 2 }),
    row.unit,
    row.event,
    row.variancePercent === null ? '' : `± ${row.variancePercent.toFixed(2)}%`,
    row.metric === null ? '' : `${row.metric.value} ${row.metric.unit}`,
  ]);
  const header = ['value', 'unit', 'event', 'variance', 'metric'];
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((cell, i) => (i === 0 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
