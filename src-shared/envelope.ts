/**
 * A binary envelope for messages that mix JSON-able values with typed arrays,
 * used by the WebSocket transport: profile tables travel as raw bytes in one
 * binary frame, not as JSON arrays of numbers.
 *
 * Layout (little-endian):
 *   u32 headerLength | header (UTF-8 JSON) | padding to 8 | blob 0 | pad | blob 1 ...
 * In the header each typed array is replaced by {"$blob": i, "$type": name,
 * "$bytes": byteLength}, and NaN/±Infinity (which JSON cannot hold) by
 * {"$num": "NaN"}. Blob i starts at a multiple of 8 after blob i-1, so it can
 * be viewed in place as a Float64Array.
 */

// The text codecs exist in every runtime we target (browsers, Node, workers), but
// the ES library that src-shared compiles against does not declare them.
interface TextCodecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new () => { decode(bytes: Uint8Array): string };
}
const { TextEncoder, TextDecoder } = globalThis as unknown as TextCodecs;

const viewTypes = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;
type ViewTypeName = keyof typeof viewTypes;
type BinaryView = InstanceType<(typeof viewTypes)[ViewTypeName]>;

interface BlobRef {
  $blob: number;
  $type: ViewTypeName;
  $bytes: number;
}

function viewTypeName(value: unknown): ViewTypeName | null {
  if (!ArrayBuffer.isView(value)) return null;
  const name = value.constructor.name;
  return name in viewTypes ? (name as ViewTypeName) : null;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeEnvelope(value: unknown): Uint8Array {
  const blobs: BinaryView[] = [];
  // No replacer: JSON.stringify calls one for every value, the profile's thousands of strings included,
  // and leaves its fast path (about 20 ms for a DHAT profile's 24k strings, in a host that just started).
  const header = JSON.stringify(jsonable(value, blobs));
  const headerBytes = new TextEncoder().encode(header);
  let size = align8(4 + headerBytes.length);
  const offsets = blobs.map((blob) => {
    const offset = size;
    size = align8(size + blob.byteLength);
    return offset;
  });
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  blobs.forEach((blob, i) => out.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), offsets[i]));
  return out;
}

/**
 * `value` ready for JSON.stringify: each typed array replaced by a BlobRef
 * (the array pushed on `blobs`) and each non-finite number by {$num}. Arrays
 * and objects are copied only where something in them changes, so a long
 * array of strings is passed through as it is.
 */
function jsonable(value: unknown, blobs: BinaryView[]): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (typeof value !== 'object' || value === null) return value;
  const type = viewTypeName(value);
  if (type !== null) {
    const view = value as BinaryView;
    blobs.push(view);
    const ref: BlobRef = { $blob: blobs.length - 1, $type: type, $bytes: view.byteLength };
    return ref;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value; // a Date: JSON.stringify's own
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') continue;
      const converted = jsonable(item, blobs);
      if (converted !== item) (copy ??= value.slice())[i] = converted;
    }
    return copy ?? value;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) defineValue(copy, key, jsonable((value as Record<string, unknown>)[key], blobs));
  return copy;
}

/** obj[key] = v as an own data property, even for the key "__proto__" (which assignment would turn into a prototype). */
function defineValue(target: Record<string, unknown>, key: string, v: unknown): void {
  Object.defineProperty(target, key, { value: v, writable: true, enumerable: true, configurable: true });
}

export function decodeEnvelope(message: Uint8Array): unknown {
  // Views need 8-byte alignment from the start of their buffer: copy when the transport handed us an odd slice.
  const bytes = message.byteOffset % 8 === 0 ? message : message.slice();
  if (bytes.byteLength < 4) throw new Error('message too short');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) throw new Error('message header is cut short');
  // No reviver, for the reason encodeEnvelope has no replacer; collectRefs and revive walk the objects only.
  const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)));
  const refs: BlobRef[] = [];
  collectRefs(header, refs);
  const offsets: number[] = [];
  let offset = align8(4 + headerLength);
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    if (!ref || !(ref.$type in viewTypes)) throw new Error(`message has a bad array descriptor #${i}`);
    offsets.push(offset);
    offset = align8(offset + ref.$bytes);
  }
  if (offsets.length > 0 && offsets[offsets.length - 1] + refs[refs.length - 1].$bytes > bytes.byteLength) {
    throw new Error('message arrays are cut short');
  }
  return revive(header, (ref) => {
    const View = viewTypes[ref.$type];
    const start = bytes.byteOffset + offsets[ref.$blob];
    return new View(bytes.buffer as ArrayBuffer, start, ref.$bytes / View.BYTES_PER_ELEMENT);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Every {$blob} object in the parsed header, by its blob number. */
function collectRefs(value: unknown, refs: BlobRef[]): void {
  if (!isObject(value)) return;
  if (Array.isArray(value)) {
    for (const item of value) if (isObject(item)) collectRefs(item, refs);
    return;
  }
  if ('$blob' in value) {
    refs[value.$blob as number] = value as unknown as BlobRef;
    return;
  }
  for (const key of Object.keys(value)) collectRefs(value[key], refs);
}

/** The parsed header with {$blob} objects made views and {$num} objects numbers, changed in place (it is ours). */
function revive(value: unknown, makeView: (ref: BlobRef) => BinaryView): unknown {
  if (!isObject(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (isObject(item)) value[i] = revive(item, makeView);
    }
    return value;
  }
  if ('$blob' in value) return makeView(value as unknown as BlobRef);
  if ('$num' in value) return Number(value.$num);
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (!isObject(item)) continue;
    const revived = revive(item, makeView);
    if (revived !== item) defineValue(value, key, revived);
  }
  return value;
}
