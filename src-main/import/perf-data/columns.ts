/**
 * Growable typed columns for the per-sample data, one class per element
 * type: a shared generic push (src-shared's GrowableArray) sees several
 * array types and may not be inlined, and a double passed to a call that is
 * not inlined is boxed: one allocation per sample and column.
 *
 * They start small on purpose: the growth path then runs while the reader is
 * still interpreted. A first growth after the optimizing compiler has seen
 * push() (which never grew until then) deoptimizes every function that
 * inlined it, and those are recompiled, up to ~0.1 s of CPU on a big file.
 */

export class Float64Column {
  private data: Float64Array;
  length = 0;
  constructor(capacity = 16) {
    this.data = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  get(index: number): number {
    return this.data[index];
  }
}

export class Int32Column {
  private data: Int32Array;
  length = 0;
  constructor(capacity = 16) {
    this.data = new Int32Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  get(index: number): number {
    return this.data[index];
  }
  set(index: number, value: number): void {
    this.data[index] = value;
  }
}
