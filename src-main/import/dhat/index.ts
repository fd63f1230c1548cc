/**
 * DHAT's JSON files (dhatFileVersion 2), from valgrind --tool=dhat
 * (dhat.out.PID) and from Rust's dhat crate (dhat-heap.json,
 * dhat-ad-hoc.json), in every mode: heap, copy, ad-hoc, rust-heap,
 * rust-ad-hoc.
 *
 * Spec: the "File format notes" comment in valgrind's dhat/dh_main.c
 *   https://sourceware.org/git/?p=valgrind.git;a=blob;f=dhat/dh_main.c
 * and DHAT's viewer dhat/dh_view.js (which members it requires). dhat-rs:
 *   https://github.com/nnethercote/dhat-rs/blob/main/src/lib.rs (DhatJson).
 *
 * Streamed: the file goes through an incremental JSON tokenizer
 * (json-scanner.ts) into typed columns (reader.ts), so memory grows with the
 * number of program points and frames, not with the file's text, and a
 * 100 MB+ file never becomes one string or one object graph. Program points
 * in the usual shape skip the tokenizer's per-token steps: the reader takes
 * each whole from the bytes (program-point-bytes.ts).
 *
 * What the profile holds (build.ts): one weighted sample and one allocation
 * row per allocation site. The unit is bytes (for ad-hoc mode, the
 * program's own units: 'samples'); meta.eventName is the file's mode.
 * Known but not kept, because the model has no place for them yet: the
 * access histograms ("acc"), mb/mbk (each site's own maximum), the block
 * counts at t-gmax and t-end (gbk, ebk), te/tg/tu/tuth (times are in
 * instructions for valgrind, microseconds for dhat-rs). `readDhat` returns
 * all of them for callers that need them (tests, the short-lived flag).
 *
 * A big file's sites by function go to `options.onSitesPreview` between
 * the reading and the stacks (sites-preview.ts).
 */

import { CancelledError, ImportError } from '../../../src-shared/errors';
import type { Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { buildDhatProfile } from './build';
import { FtblEntries } from './ftbl-frames';
import { JsonScanner, JsonSyntaxError, type JsonHandler } from './json-scanner';
import { DhatFormatError, DhatReader, type DhatData } from './reader';
import { dhatSitesPreview, SITES_PREVIEW_MIN_PROGRAM_POINTS } from './sites-preview';

/** Reads and checks a whole DHAT file into columns. Throws ImportError with one line. */
export async function readDhat(source: ImportSource, options: ImportOptions = {}): Promise<DhatData> {
  const reader = new DhatReader();
  const scanner = new JsonScanner(reader);
  let done = 0;
  try {
    for await (const chunk of source.chunks()) {
      if (options.signal?.aborted) throw new CancelledError();
      scanner.write(chunk);
      done += chunk.byteLength;
      options.onProgress?.(done, source.size);
    }
    if (options.signal?.aborted) throw new CancelledError();
    scanner.end();
    return reader.finish();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new ImportError(error.truncated ? `${error.message}, ${reader.where}` : `malformed JSON at ${error.message}`);
    }
    if (error instanceof DhatFormatError) throw new ImportError(error.message);
    throw error;
  }
}

/** Stops the scan at the first member of the top-level object that is `dhatFileVersion`. */
class VersionSniffer implements JsonHandler {
  depth = 0;
  found = false;
  constructor(private readonly scanner: () => JsonScanner) {}
  startObject(): void {
    this.depth++;
  }
  endObject(): void {
    this.depth--;
  }
  startArray(): void {
    this.depth++;
  }
  endArray(): void {
    this.depth--;
  }
  key(name: string): void {
    if (this.depth === 1 && name === 'dhatFileVersion') {
      this.found = true;
      this.scanner().stop();
    }
  }
  string(): void {}
  number(): void {}
  literal(): void {}
}

function firstNonSpace(head: Uint8Array): number {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return head[i] ?? -1;
}

export const dhatImporter: Importer = {
  id: 'dhat',
  label: 'DHAT JSON',
  sniff(head) {
    // A JSON object whose top level has "dhatFileVersion" (both producers write it first).
    if (firstNonSpace(head) !== 0x7b) return false;
    let scanner: JsonScanner | null = null;
    const sniffer = new VersionSniffer(() => scanner as JsonScanner);
    scanner = new JsonScanner(sniffer);
    try {
      scanner.write(head);
    } catch {
      return false;
    }
    return sniffer.found;
  },
  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    const data = await readDhat(source, options);
    const entries = new FtblEntries(data.ftbl);
    if (options.onSitesPreview !== undefined && data.ppCount >= SITES_PREVIEW_MIN_PROGRAM_POINTS) {
      options.onSitesPreview(dhatSitesPreview(data, source.name, entries));
    }
    const warnings: string[] = [];
    if (data.ppCount === 0) warnings.push('the file has no program points (nothing was allocated)');
    return buildDhatProfile(data, source.name, warnings, entries);
  },
};
