/**
 * Allocation sites of a memory profile, grouped for the Sites table, and the
 * per-stack weights of one site column for the flame graph and call tree.
 *
 * A site is a row of the profile's allocation table (one allocating stack).
 * Groups:
 *   stack      the site's whole stack (the importers already merge equal
 *              stacks, so usually one site per group)
 *   function   the site's leaf function: "who called malloc"
 *   line       the leaf frame's file and line, so two allocations in one
 *              function stay apart
 *
 * Per group: bytes and blocks are summed; bytes at the global peak and at
 * exit are summed too (every site's peak column is its share of the same
 * global peak, so the sum is the group's share); lifetime is the mean over
 * blocks (each site's mean weighted by its blocks); reads and writes are
 * per byte allocated. NaN (unknown, e.g. massif's reads) stays NaN unless
 * some site of the group knows the value.
 *
 * Flags come from allocation-flags.ts run on the grouped table: its
 * significance rule compares with the profile's totals, which grouping does
 * not change, so a group is flagged as if it were one site.
 */

import type { AllocationTable, IndexIntoStackTable, Profile } from '../profile/model';
import { frameFile, stringAt } from '../profile/model';
import { computeAllocationFlags, type AllocationFlagOptions } from './allocation-flags';
import { allocationsInRange, type AllocationTimeRange } from './allocation-range';
import { float64Accumulator, int32Accumulator } from '../profile/accumulators';

export type SiteGrouping = 'stack' | 'function' | 'line';

/** The site columns a flame graph can weigh stacks by. */
export type AllocationMetric = 'totalBytes' | 'totalBlocks' | 'peakBytes' | 'endBytes' | 'temporary';

export type SiteColumn = 'label' | AllocationMetric | 'lifetime' | 'readsPerByte' | 'writesPerByte';

export interface SiteGroup {
  /** Stable across recomputes (React key, selection). */
  key: string;
  label: string;
  /** The group's heaviest site's stack (by bytes): what a click can show. */
  stack: IndexIntoStackTable;
  siteCount: number;
  totalBytes: number;
  totalBlocks: number;
  peakBytes: number;
  endBytes: number;
  /** heaptrack's temporary allocations (NaN for other tools). */
  temporary: number;
  lifetime: number;
  readsPerByte: number;
  writesPerByte: number;
  /** AllocationFlag bits. */
  flags: number;
}

/** The leaf function of `stack`, or -1. */
function leafFunc(profile: Profile, stack: IndexIntoStackTable): number {
  return stack < 0 ? -1 : profile.frames.func[profile.stacks.frame[stack]];
}

function funcName(profile: Profile, func: number): string {
  return func < 0 ? '[unknown]' : stringAt(profile, profile.funcs.name[func], '[unknown]');
}

/** "leaf ← caller ← caller's caller", as far as the root. */
function stackLabel(profile: Profile, stack: IndexIntoStackTable): string {
  const names: string[] = [];
  for (let s = stack; s >= 0; s = profile.stacks.prefix[s]) names.push(funcName(profile, leafFunc(profile, s)));
  return names.length === 0 ? '[unknown]' : names.join(' ← ');
}

function lineLabel(profile: Profile, stack: IndexIntoStackTable): string {
  if (stack < 0) return '[unknown]';
  const frame = profile.stacks.frame[stack];
  const func = profile.frames.func[frame];
  const file = stringAt(profile, frameFile(profile, frame), '');
  const line = profile.frames.line[frame];
  // Without a file the function's name is the best place we can give.
  if (file === '') return `${funcName(profile, func)}${line >= 0 ? `:${line}` : ''}`;
  return `${file}:${line >= 0 ? line : '?'}`;
}

/** Group key and label of a site's stack. */
function groupOf(profile: Profile, stack: IndexIntoStackTable, by: SiteGrouping): [string, string] {
  switch (by) {
    case 'stack':
      return [`s${stack}`, stackLabel(profile, stack)];
    case 'function': {
      const func = leafFunc(profile, stack);
      return [`f${func}`, funcName(profile, func)];
    }
    case 'line': {
      const label = lineLabel(profile, stack);
      return [`l${label}`, label];
    }
  }
}

/**
 * The group of each site, and each group's key and label, made once per
 * group. Functions and stacks are numbers, so their groups are found by
 * index (a DHAT file of a compiler has 88k sites); lines by their text.
 */
function groupSites(profile: Profile, siteStacks: Int32Array, by: SiteGrouping): { groupOfSite: Int32Array; keys: string[]; labels: string[] } {
  const keys: string[] = [];
  const labels: string[] = [];
  const groupOfSite = new Int32Array(siteStacks.length);
  const newGroup = (stack: IndexIntoStackTable) => {
    const [key, label] = groupOf(profile, stack, by);
    keys.push(key);
    labels.push(label);
    return keys.length - 1;
  };
  if (by === 'line') {
    const groupOfLabel = new Map<string, number>();
    for (let site = 0; site < siteStacks.length; site++) {
      const label = lineLabel(profile, siteStacks[site]);
      let g = groupOfLabel.get(label);
      if (g === undefined) groupOfLabel.set(label, (g = newGroup(siteStacks[site])));
      groupOfSite[site] = g;
    }
  } else {
    // By function or stack number, shifted by one so that -1 ([unknown]) has a slot. The leaf function is
    // read inline: this loop runs once per site (88k for a compiler under DHAT) as a window opens, while
    // its code is still cold, where a call per site costs more than the rest of the loop.
    const byFunction = by === 'function';
    const stackFrame = profile.stacks.frame;
    const frameFunc = profile.frames.func;
    const groupOfId = new Int32Array((byFunction ? profile.funcs.length : profile.stacks.length) + 1).fill(-1);
    for (let site = 0; site < siteStacks.length; site++) {
      const stack = siteStacks[site];
      const id = (byFunction ? (stack < 0 ? -1 : frameFunc[stackFrame[stack]]) : stack) + 1;
      let g = groupOfId[id];
      if (g < 0) g = groupOfId[id] = newGroup(stack);
      groupOfSite[site] = g;
    }
  }
  return { groupOfSite, keys, labels };
}

/**
 * Per group, the sum of `column` over its sites: NaN (unknown) unless some
 * site knows the value. A loop per column rather than a call per site and
 * column: this runs as a window opens, in code the JIT has not seen yet.
 */
function sumKnownByGroup(column: Float64Array, groupOfSite: Int32Array, groups: number): Float64Array {
  const sums = new Float64Array(groups).fill(NaN);
  for (let site = 0; site < groupOfSite.length; site++) {
    const value = column[site];
    if (value !== value) continue; // NaN: not known for this site
    const g = groupOfSite[site];
    const sum = sums[g];
    sums[g] = sum === sum ? sum + value : value;
  }
  return sums;
}

/**
 * The profile's allocation sites grouped `by`, in no particular order (see
 * sortSiteGroups). Empty for profiles without an allocation table.
 * `flagOptions.temporaryBlocks` is per site and is summed per group.
 * With a `range`, sites count the allocations made in it (allocation-range.ts).
 */
export function groupAllocationSites(
  profile: Profile,
  by: SiteGrouping,
  flagOptions: AllocationFlagOptions = {},
  range: AllocationTimeRange | null = null,
): SiteGroup[] {
  if (profile.allocations === null) return [];
  const table = allocationsInRange(profile.allocations, range);
  const { groupOfSite, keys, labels } = groupSites(profile, table.stack, by);

  const n = keys.length;
  const grouped: AllocationTable = {
    length: n,
    stack: new Int32Array(n).fill(-1),
    totalBytes: sumKnownByGroup(table.totalBytes, groupOfSite, n),
    totalBlocks: sumKnownByGroup(table.totalBlocks, groupOfSite, n),
    peakBytes: sumKnownByGroup(table.peakBytes, groupOfSite, n),
    endBytes: sumKnownByGroup(table.endBytes, groupOfSite, n),
    reads: sumKnownByGroup(table.reads, groupOfSite, n),
    writes: sumKnownByGroup(table.writes, groupOfSite, n),
    lifetime: new Float64Array(n).fill(NaN),
    temporary: sumKnownByGroup(table.temporary, groupOfSite, n),
    timeline: null,
  };
  const siteCount = int32Accumulator(n);
  const heaviest = new Float64Array(n).fill(-Infinity);
  // Lifetime is a mean per block: sum lifetime * blocks over the sites that know it, then divide.
  const lifetimeSum = float64Accumulator(n);
  const lifetimeBlocks = float64Accumulator(n);
  const temporary = flagOptions.temporaryBlocks === undefined ? undefined : float64Accumulator(n);
  for (let site = 0; site < table.length; site++) {
    const g = groupOfSite[site];
    siteCount[g]++;
    const bytes = table.totalBytes[site];
    if (bytes > heaviest[g] || grouped.stack[g] === -1) {
      heaviest[g] = bytes;
      grouped.stack[g] = table.stack[site];
    }
    const blocks = table.totalBlocks[site];
    if (!Number.isNaN(table.lifetime[site]) && blocks > 0) {
      lifetimeSum[g] += table.lifetime[site] * blocks;
      lifetimeBlocks[g] += blocks;
    }
    if (temporary !== undefined) temporary[g] += flagOptions.temporaryBlocks![site] || 0;
  }
  for (let g = 0; g < n; g++) if (lifetimeBlocks[g] > 0) grouped.lifetime[g] = lifetimeSum[g] / lifetimeBlocks[g];

  const flags = computeAllocationFlags(grouped, { ...flagOptions, temporaryBlocks: temporary ?? grouped.temporary });
  return keys.map((key, g) => ({
    key,
    label: labels[g],
    stack: grouped.stack[g],
    siteCount: siteCount[g],
    totalBytes: grouped.totalBytes[g],
    totalBlocks: grouped.totalBlocks[g],
    peakBytes: grouped.peakBytes[g],
    endBytes: grouped.endBytes[g],
    temporary: grouped.temporary[g],
    lifetime: grouped.lifetime[g],
    readsPerByte: grouped.totalBytes[g] > 0 ? grouped.reads[g] / grouped.totalBytes[g] : NaN,
    writesPerByte: grouped.totalBytes[g] > 0 ? grouped.writes[g] / grouped.totalBytes[g] : NaN,
    flags: flags[g],
  }));
}

/** Made on first use: an ICU collator takes ~2 ms to make, and every `heatline` command loads this module. */
let labelOrder: Intl.Collator | undefined;

/**
 * A sorted copy. Unknown values (NaN) go last in either direction, since
 * "unknown" is neither big nor small; ties fall back to bytes, then to the
 * order the groups came in, so the order never flickers. The values are
 * taken out into arrays first, and ties are not compared by label: on 88k
 * stack sites (a compiler under DHAT) that sort took 1.2 s, now 0.1 s.
 */
export function sortSiteGroups(groups: readonly SiteGroup[], column: SiteColumn, descending: boolean): SiteGroup[] {
  const sign = descending ? -1 : 1;
  const order = Array.from(groups, (_, i) => i);
  const bytes = Float64Array.from(groups, (g) => g.totalBytes);
  if (column === 'label') {
    const collator = (labelOrder ??= new Intl.Collator('en', { sensitivity: 'base', numeric: true }));
    order.sort((a, b) => sign * collator.compare(groups[a].label, groups[b].label) || bytes[b] - bytes[a] || a - b);
    return order.map((i) => groups[i]);
  }
  const values = Float64Array.from(groups, (g) => g[column]);
  order.sort((a, b) => {
    const x = values[a];
    const y = values[b];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (!Number.isNaN(x)) return -1;
      if (!Number.isNaN(y)) return 1;
    } else if (x !== y) {
      return sign * (x - y);
    }
    return bytes[b] - bytes[a] || a - b;
  });
  return order.map((i) => groups[i]);
}

/**
 * Per profile stack, the sum of one site column over the sites allocating
 * there: what the flame graph and call tree weigh stacks by when the user
 * picks blocks, peak or leaked bytes instead of the samples' total bytes.
 * Null for profiles without an allocation table. Unknown values add nothing.
 * With a `range`, only allocations made in it count (allocation-range.ts).
 */
export function allocationStackWeights(profile: Profile, metric: AllocationMetric, range: AllocationTimeRange | null = null): Float64Array | null {
  if (profile.allocations === null) return null;
  const table = allocationsInRange(profile.allocations, range);
  const weights = float64Accumulator(profile.stacks.length);
  const column = table[metric];
  for (let site = 0; site < table.length; site++) {
    const stack = table.stack[site];
    if (stack >= 0 && column[site] > 0) weights[stack] += column[site];
  }
  return weights;
}

/**
 * The short-lived threshold ("tuth") for a profile, which the model does
 * not carry yet: DHAT's defaults, 500 instructions for valgrind's files and
 * 10 µs for dhat-rs's (whose mode names start "rust-"). NaN (no short-lived
 * flag) for other formats.
 */
export function defaultShortLivedLifetime(profile: Profile): number {
  if (profile.meta.format !== 'dhat') return NaN;
  return profile.meta.eventName?.startsWith('rust') ? 10 : 500;
}
