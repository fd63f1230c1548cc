/**
 * Code locations and call paths, collected while records stream and turned
 * into functions and frames only at the end, when every location of a binary
 * can be symbolized in one batch.
 *
 * A location is one of:
 *   user      (binary, file offset)  - a sampled address inside a mapped file
 *   kernel    (hi, lo)               - a kernel address: 64 bits, kept as two
 *                                       u32 halves, never a rounded double
 *   anon      (pid, address)         - anonymous/JIT memory (perf-PID.map)
 *   unmapped  (hi, lo)               - an address no map of the process covers
 *   special   (binary, file offset)  - [vdso] and friends: no file to read
 *
 * Call paths form a prefix tree of locations (root first), so a million
 * samples of a few thousand distinct stacks cost a few thousand nodes plus
 * one int per sample.
 */

import { BinaryKind, type AddressSpace, type BinaryTable } from './address-space';
import { Int32Column } from './columns';
import { PairMap } from '../../../src-shared/profile/pair-map';

// Local copies of binary.ts's constants: this is the hottest code of the reader.
const TWO_32 = 2 ** 32;
const MAX_EXACT_HI = 0x1fffff;

export const LocationKind = { user: 0, kernel: 1, anon: 2, unmapped: 3 } as const;
export type LocationKind = (typeof LocationKind)[keyof typeof LocationKind];

/** Per-process cache of address -> location, dropped when the process's maps change. */
interface AddressCache {
  version: number;
  /** (address hi, lo) -> location. */
  locations: PairMap;
}

export class Locations {
  readonly kind: LocationKind[] = [];
  /** Binary index (user), pid (anon), or -1. */
  readonly owner: number[] = [];
  /** File offset (user), address (anon), or the low u32 (kernel, unmapped). */
  readonly lo: number[] = [];
  /** The high u32 of kernel and unmapped addresses; 0 otherwise. */
  readonly hi: number[] = [];

  private readonly byBinary: Map<number, number>[] = [];
  private readonly byPid = new Map<number, Map<number, number>>();
  private readonly kernelLocations = new PairMap();
  private readonly unmappedLocations = new PairMap();
  private caches = new Map<number, AddressCache>();
  private lastCachePid = NaN;
  private lastCache: AddressCache | undefined;
  private lastChanges = -1;

  constructor(
    private readonly space: AddressSpace,
    private readonly binaries: BinaryTable,
  ) {}

  get length(): number {
    return this.kind.length;
  }

  /** The read is over: drop the per-process address caches. */
  dropCaches(): void {
    this.caches = new Map();
    this.lastCache = undefined;
    this.lastCachePid = NaN;
  }

  /** The location of user address hi:lo in process `pid`. */
  user(pid: number, hi: number, lo: number): number {
    if (hi > MAX_EXACT_HI) return this.unmapped(hi, lo);
    const cache = this.userCache(pid);
    const cached = cache.get(hi, lo);
    return cached >= 0 ? cached : this.userMiss(pid, hi, lo, cache);
  }

  /**
   * Process `pid`'s (address hi, lo) -> location cache, valid until the next
   * record changes a map. The per-sample loop fetches it once and looks
   * addresses up in it directly, calling userMiss only for new ones.
   */
  userCache(pid: number): PairMap {
    const last = this.lastCache;
    if (pid === this.lastCachePid && this.space.changes === this.lastChanges && last) return last.locations;
    return this.cacheOf(pid).locations;
  }

  /** The slow path of user(): find the map, make the location, remember it in `cache`. */
  userMiss(pid: number, hi: number, lo: number, cache: PairMap): number {
    if (hi > MAX_EXACT_HI) return this.unmapped(hi, lo);
    const address = hi * TWO_32 + lo;
    let location: number;
    const mapping = this.space.find(pid, address);
    if (mapping < 0) {
      location = this.unmapped(hi, lo);
    } else {
      const binary = this.space.binary[mapping];
      if (this.binaries.kinds[binary] === BinaryKind.anon) {
        location = this.keyed(this.byPidMap(pid), address, LocationKind.anon, pid, address, 0);
      } else {
        const offset = this.space.fileOffset(mapping, address);
        location = this.keyed((this.byBinary[binary] ??= new Map()), offset, LocationKind.user, binary, offset, 0);
      }
    }
    cache.set(hi, lo, location);
    return location;
  }

  /** Kernel address hi:lo -> location, for the per-sample loop's inline lookups (kernel() on a miss). */
  get kernelCache(): PairMap {
    return this.kernelLocations;
  }

  kernel(hi: number, lo: number): number {
    return this.pairKeyed(this.kernelLocations, hi, lo, LocationKind.kernel);
  }

  unmapped(hi: number, lo: number): number {
    return this.pairKeyed(this.unmappedLocations, hi, lo, LocationKind.unmapped);
  }

  /** User locations grouped by binary: [binary, location ids] for each binary that has any. */
  *userLocationsByBinary(): Generator<[binary: number, locations: number[]]> {
    for (let binary = 0; binary < this.byBinary.length; binary++) {
      const map = this.byBinary[binary];
      if (map && map.size > 0) yield [binary, [...map.values()]];
    }
  }

  /** Every kernel location's address (64 bits), in location order. */
  kernelAddresses(): bigint[] {
    const addresses: bigint[] = [];
    for (let id = 0; id < this.kind.length; id++) {
      if (this.kind[id] === LocationKind.kernel) addresses.push((BigInt(this.hi[id]) << 32n) | BigInt(this.lo[id]));
    }
    return addresses;
  }

  /** Anonymous-memory locations grouped by pid. */
  *anonLocationsByPid(): Generator<[pid: number, locations: number[]]> {
    for (const [pid, map] of this.byPid) yield [pid, [...map.values()]];
  }

  private byPidMap(pid: number): Map<number, number> {
    let map = this.byPid.get(pid);
    if (!map) this.byPid.set(pid, (map = new Map()));
    return map;
  }

  private pairKeyed(map: PairMap, hi: number, lo: number, kind: LocationKind): number {
    let location = map.get(hi, lo);
    if (location < 0) {
      location = this.add(kind, -1, lo, hi);
      map.set(hi, lo, location);
    }
    return location;
  }

  private add(kind: LocationKind, owner: number, lo: number, hi: number): number {
    this.kind.push(kind);
    this.owner.push(owner);
    this.lo.push(lo);
    this.hi.push(hi);
    return this.kind.length - 1;
  }

  private keyed(map: Map<number, number>, key: number, kind: LocationKind, owner: number, lo: number, hi: number): number {
    let location = map.get(key);
    if (location === undefined) {
      location = this.add(kind, owner, lo, hi);
      map.set(key, location);
    }
    return location;
  }

  private cacheOf(pid: number): AddressCache {
    const version = this.space.version(pid);
    let cache = pid === this.lastCachePid ? this.lastCache : this.caches.get(pid);
    if (!cache) this.caches.set(pid, (cache = { version, locations: new PairMap() }));
    else if (cache.version !== version) {
      cache.version = version;
      cache.locations.clear();
    }
    this.lastCachePid = pid;
    this.lastCache = cache;
    this.lastChanges = this.space.changes;
    return cache;
  }
}

/**
 * Distinct call paths as a prefix tree: node i is location[i] called from
 * node parent[i] (-1 at the root), and parent[i] < i, so one forward pass
 * meets callers before callees.
 */
export class CallPaths {
  // Small at first, so growing happens before optimization (columns.ts).
  readonly parent = new Int32Column(16);
  readonly location = new Int32Column(16);
  private children = new PairMap(16);

  get length(): number {
    return this.parent.length;
  }

  /** The read is over: drop the index of children (tens of MB for a big file) before the profile is built. */
  seal(): void {
    this.children = new PairMap(16);
  }

  /**
   * The node for `location` called from `parent`. One probe of the children
   * index: with hundreds of thousands of nodes each lookup is a cache miss,
   * so no side tables (a "last child" per node cost two more misses).
   */
  child(parent: number, location: number): number {
    let node = this.children.get(parent, location);
    if (node < 0) {
      node = this.parent.length;
      this.parent.push(parent);
      this.location.push(location);
      this.children.set(parent, location, node);
    }
    return node;
  }
}
