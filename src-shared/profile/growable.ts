/**
 * Append-only typed arrays that double their capacity as they grow, so a
 * builder can collect millions of rows without an object per row.
 */

type TypedArray = Int32Array | Float64Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = { new (length: number): T };

export class GrowableArray<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(
    private readonly make: TypedArrayConstructor<T>,
    initialCapacity = 1024,
  ) {
    this.data = new make(initialCapacity);
  }

  push(value: number): number {
    if (this.length === this.data.length) {
      const bigger = new this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = value;
    return this.length++;
  }

  /** Appends values[0 .. count): one capacity check for a run of values (a program point's frames). */
  appendRun(values: ArrayLike<number>, count: number): void {
    const start = this.length;
    if (start + count > this.data.length) {
      const bigger = new this.make(Math.max(this.data.length * 2, start + count));
      bigger.set(this.data);
      this.data = bigger;
    }
    const data = this.data;
    for (let k = 0; k < count; k++) data[start + k] = values[k];
    this.length = start + count;
  }

  get(index: number): number {
    return this.data[index];
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** A right-sized copy holding exactly `length` values. */
  finish(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const growInt32 = (capacity?: number) => new GrowableArray(Int32Array, capacity);
export const growFloat64 = (capacity?: number) => new GrowableArray(Float64Array, capacity);
export const growUint8 = (capacity?: number) => new GrowableArray(Uint8Array, capacity);
