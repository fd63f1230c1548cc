/**
 * Time ordering of records, as perf does it (tools/perf/util/ordered-events.c).
 *
 * perf record drains one ring buffer per CPU in turn, so within a "round"
 * records of different CPUs are interleaved out of time order: a thread's
 * first samples on CPU 1 can be written before the MMAP of its binary that
 * happened on CPU 0. Applied in file order, those samples would find no map.
 * perf queues timed records and, at each FINISHED_ROUND, delivers those no
 * later than the latest time seen before the previous FINISHED_ROUND (no
 * record can still come before them), sorted by time; the rest wait. At the
 * end everything left is delivered.
 *
 * Only records with a time are queued (user records and untimed ones are
 * delivered at once, as perf does). A queued record is kept as a place in
 * the piece of input it came in, and delivered from there when its round
 * ends while that piece is still current (most are). Only when the input
 * piece is about to be reused (detach(), which the record splitter calls)
 * is the run of records still waiting in it copied, with one memcpy, into
 * one arena. Memory is bounded: past MAX_QUEUED_BYTES the older
 * half is delivered early, like perf's OE_FLUSH__HALF. The bookkeeping is
 * typed arrays reused across rounds, and the sort is a merge of the few
 * already-sorted runs a round is made of (one per CPU buffer): nothing is
 * allocated per record.
 */

import type { RecordHandler } from './stream';

const MAX_QUEUED_BYTES = 64 << 20;
/** Above this many sorted runs a general sort beats the k-way merge. */
const MAX_MERGE_RUNS = 64;

export class OrderedQueue {
  private arena = new Uint8Array(1 << 20);
  private view = new DataView(this.arena.buffer);
  private used = 0;
  /** Per queued record, in arrival order: its offset in the arena and its time. */
  private offsets = new Int32Array(4096);
  private times = new Float64Array(4096);
  private count = 0;
  /** Indexes of the records a flush delivers, reused. */
  private ready = new Int32Array(4096);
  private nextFlush = -Infinity;
  private maxTime = -Infinity;
  /**
   * Records queued but not yet copied: they lie in `pendingView` at
   * [pendingStart, pendingEnd) (with any records between them that were not
   * queued or are already delivered: detach() copies the span whole), and
   * are the queue's records from index pendingFirst on, whose offsets are
   * still positions in that view.
   */
  private pendingView: DataView | null = null;
  private pendingStart = 0;
  private pendingEnd = 0;
  private pendingFirst = 0;

  constructor(
    private readonly deliver: RecordHandler,
    private readonly le: boolean,
  ) {}

  get length(): number {
    return this.count;
  }

  /**
   * Queues the record at view[pos, pos + size), whose u64 time is at
   * view[timeAt]. False, queuing nothing, when the time is 0 or ~0: perf
   * delivers such records (synthesized ones) at once.
   */
  push(view: DataView, pos: number, size: number, timeAt: number): boolean {
    const hi = view.getUint32(this.le ? timeAt + 4 : timeAt, this.le);
    const lo = view.getUint32(this.le ? timeAt : timeAt + 4, this.le);
    const time = hi * 2 ** 32 + lo;
    // Tested so that the comparisons made for ordinary records are the same for every record: one first
    // made mid-file, after the optimizing compiler saw this code, deoptimizes the whole reader.
    if (time === 0 || (hi === 0xffffffff && lo === 0xffffffff)) return false;
    if (view !== this.pendingView) {
      this.detach();
      this.pendingView = view;
      this.pendingStart = pos;
      this.pendingFirst = this.count;
    }
    if (this.count === this.offsets.length) this.growIndex();
    this.offsets[this.count] = pos;
    this.times[this.count] = time;
    this.count++;
    this.pendingEnd = pos + size;
    if (time > this.maxTime) this.maxTime = time;
    return true;
  }

  /**
   * Copies the records still kept as places in their input piece into the
   * arena, in one piece: the input is about to be reused or overwritten.
   */
  detach(): void {
    const view = this.pendingView;
    if (view === null) return;
    this.pendingView = null;
    const start = this.pendingStart;
    const length = this.pendingEnd - start;
    this.reserve(length);
    this.arena.set(new Uint8Array(view.buffer, view.byteOffset + start, length), this.used);
    const shift = this.used - start;
    const offsets = this.offsets;
    for (let i = this.pendingFirst; i < this.count; i++) offsets[i] += shift;
    this.used += length;
    if (this.used > MAX_QUEUED_BYTES) this.flushHalf();
  }

  /** FINISHED_ROUND: deliver what no later record can precede. */
  finishRound(): void {
    this.flush(this.nextFlush);
    this.nextFlush = this.maxTime;
  }

  /** The end of the data: deliver everything. */
  flushAll(): void {
    this.flush(Infinity);
  }

  /** Frees the arena once everything is delivered. */
  release(): void {
    this.pendingView = null;
    this.arena = new Uint8Array(8);
    this.view = new DataView(this.arena.buffer);
    this.used = 0;
  }

  private flushHalf(): void {
    const sorted = this.times.slice(0, this.count).sort();
    this.flush(sorted[this.count >> 1]);
  }

  /** Delivers queued records with time <= limit in time order (arrival order among equal times); keeps the rest. */
  private flush(limit: number): void {
    const { times, count } = this;
    if (this.ready.length < count) this.ready = new Int32Array(this.offsets.length);
    const ready = this.ready;
    let n = 0;
    for (let i = 0; i < count; i++) if (times[i] <= limit) ready[n++] = i;
    if (n === 0) return;

    // Runs of non-decreasing time: usually one per CPU buffer drained in the round.
    const runStarts: number[] = [0];
    for (let k = 1; k < n; k++) if (times[ready[k]] < times[ready[k - 1]]) runStarts.push(k);
    if (runStarts.length === 1) {
      for (let k = 0; k < n; k++) this.deliverAt(ready[k]);
    } else if (runStarts.length <= MAX_MERGE_RUNS) {
      this.merge(ready, n, runStarts);
    } else {
      const order = Array.from(ready.subarray(0, n));
      // The comparator returns small ints: a double result would be boxed on every comparison.
      order.sort((a, b) => (times[a] < times[b] ? -1 : times[a] > times[b] ? 1 : a - b));
      for (const i of order) this.deliverAt(i);
    }
    this.compact(limit);
  }

  /** k-way merge of sorted runs of `ready`; ties go to the earlier run, i.e. the earlier arrival. */
  private merge(ready: Int32Array, n: number, runStarts: number[]): void {
    const times = this.times;
    const runs = runStarts.length;
    const heads = runStarts.slice();
    const ends = runStarts.slice(1);
    ends.push(n);
    for (let delivered = 0; delivered < n; delivered++) {
      let best = -1;
      let bestTime = Infinity;
      for (let r = 0; r < runs; r++) {
        if (heads[r] < ends[r]) {
          const t = times[ready[heads[r]]];
          if (best < 0 || t < bestTime) {
            best = r;
            bestTime = t;
          }
        }
      }
      this.deliverAt(ready[heads[best]++]);
    }
  }

  private deliverAt(i: number): void {
    // Records from pendingFirst on are still places in the input piece they came in.
    const view = i >= this.pendingFirst && this.pendingView !== null ? this.pendingView : this.view;
    const at = this.offsets[i];
    this.deliver(view, at, view.getUint32(at, this.le), view.getUint16(at + 4, this.le), view.getUint16(at + 6, this.le));
  }

  /**
   * Moves the records that stay (time > limit) to the front, in arrival
   * order: those in the arena within it; those still in the input piece
   * stay there, after them (arrival order puts every arena record first).
   */
  private compact(limit: number): void {
    const { offsets, times, arena, view, le } = this;
    const pending = this.pendingView === null ? this.count : this.pendingFirst;
    let kept = 0;
    let used = 0;
    for (let i = 0; i < pending; i++) {
      if (times[i] <= limit) continue;
      const size = view.getUint16(offsets[i] + 6, le);
      arena.copyWithin(used, offsets[i], offsets[i] + size); // used <= offsets[i]: moving left is safe
      offsets[kept] = used;
      times[kept] = times[i];
      kept++;
      used += size;
    }
    const keptInArena = kept;
    for (let i = pending; i < this.count; i++) {
      if (times[i] <= limit) continue;
      offsets[kept] = offsets[i];
      times[kept] = times[i];
      kept++;
    }
    if (this.pendingView !== null) {
      // The run to copy on detach now starts at the first record still waiting; none waiting, no run.
      this.pendingFirst = keptInArena;
      if (kept > keptInArena) this.pendingStart = offsets[keptInArena];
      else this.pendingView = null;
    }
    this.count = kept;
    this.used = used;
  }

  private growIndex(): void {
    const offsets = new Int32Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.offsets = offsets;
    this.times = times;
  }

  private reserve(size: number): void {
    let capacity = this.arena.length;
    while (this.used + size > capacity) capacity *= 2;
    if (capacity === this.arena.length) return;
    const bigger = new Uint8Array(capacity);
    bigger.set(this.arena.subarray(0, this.used));
    this.arena = bigger;
    this.view = new DataView(bigger.buffer);
  }
}
