/**
 * What every importer is: sniff the first bytes, then read the whole source as
 * a stream and build a Profile through ProfileBuilder. Importers never log;
 * they throw ImportError with a one-line reason and add non-fatal problems to
 * `builder.meta.warnings`.
 */

import type { SitesPreview } from '../../src-shared/analysis/sites-preview';
import type { FormatId, Profile } from '../../src-shared/profile/model';

export interface ImportSource {
  /** The file as the user named it (a path, or an upload's name): used in messages. */
  name: string;
  /** Total bytes, for progress. */
  size: number;
  /** The first bytes of the content (up to HEAD_BYTES), for sniffing. */
  head: Uint8Array;
  /** The content from `start` (default 0) up to `end` (default: the end), in chunks. Each call starts over. */
  chunks(start?: number, end?: number): AsyncIterable<Uint8Array>;
  /** Up to `length` bytes at `offset`, for formats with headers and tables to seek to (fewer at the end). */
  readRange(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True while the content is still arriving (a browser-mode upload,
   * arriving-source.ts): reading its end waits for all of it, so a format
   * with tables at the end may read them last.
   */
  readonly arriving?: boolean;
  /**
   * A `perf record --threads` directory: this source is its `data` file (the
   * header and perf's own records), and these are `data.0`, `data.1`, ...,
   * each a whole file of the recording's records.
   */
  threadDataFiles?: ImportSource[];
}

export interface ImportOptions {
  /** Called now and then with bytes consumed so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called at most once, before the import returns, with the allocation
   * sites by function, where an importer has them well before the profile
   * (sites-preview.ts): the window shows them meanwhile.
   */
  onSitesPreview?: (preview: SitesPreview) => void;
  /** Importers check it between chunks and throw CancelledError. */
  signal?: AbortSignal;
}

export interface Importer {
  id: FormatId;
  label: string;
  /** True when `head` looks like this format. Cheap; never throws. */
  sniff(head: Uint8Array): boolean;
  import(source: ImportSource, options: ImportOptions): Promise<Profile>;
}

export const HEAD_BYTES = 64 * 1024;
