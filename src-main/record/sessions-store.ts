/**
 * The sessions list: every recording made from the app (command,
 * instrument, start, duration, file, status), kept in one JSON file so it
 * survives restarts. Newest first, at most `limit` entries (the files
 * themselves are left alone). Versioned from day one (STYLE.md point 13).
 *
 * Writes go to a temporary file renamed over the old one, so a crash never
 * leaves half a list. A file that cannot be read as a list is set aside
 * (renamed *.corrupt-<time>) and the list starts empty, with a warning for
 * the window, rather than failing every recording after it.
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RecordingEntry } from '../../src-shared/record/types';

export const SESSIONS_FILE = 'recordings.json';
const VERSION = 1;

const entrySchema = z.object({
  id: z.string(),
  /** The launched command line, or "pid N (name)" for an attach. */
  command: z.string(),
  instrument: z.string(),
  /** The plan's label: "perf record: CPU (cycles), fp call graphs, 999 Hz". */
  label: z.string(),
  startedAt: z.number(),
  durationMs: z.number(),
  file: z.string(),
  format: z.string(),
  status: z.enum(['finished', 'failed']),
  /** The failure's one line, or null. */
  message: z.string().nullable(),
});

/** One entry; the shape the window's sessions list shows (src-shared/record/types.ts). */
export type SessionEntry = RecordingEntry;
// The schema and the shared type must describe the same object.
const entryMatches: z.infer<typeof entrySchema> extends RecordingEntry ? (RecordingEntry extends z.infer<typeof entrySchema> ? true : false) : false = true;
void entryMatches;

const fileSchema = z.object({ version: z.literal(VERSION), sessions: z.array(entrySchema) });

export class SessionsStore {
  private entries: SessionEntry[] = [];
  /** Set when the file on disk could not be read; the window shows it once. */
  readonly warning: string | null = null;
  private readonly path: string;

  constructor(
    dir: string,
    private readonly limit = 200,
  ) {
    this.path = join(dir, SESSIONS_FILE);
    mkdirSync(dir, { recursive: true });
    let text: string | null = null;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return; // no list yet
    }
    try {
      this.entries = fileSchema.parse(JSON.parse(text)).sessions.slice(0, limit);
    } catch {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      try {
        renameSync(this.path, aside);
      } catch {
        // keep going with an empty list; the next save replaces the file
      }
      this.warning = `The recordings list could not be read; it starts empty (the old file is ${aside}).`;
    }
  }

  list(): SessionEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  add(entry: SessionEntry): void {
    this.entries = [entry, ...this.entries.filter((e) => e.id !== entry.id)].slice(0, this.limit);
    this.save();
  }

  remove(id: string): void {
    this.entries = this.entries.filter((e) => e.id !== id);
    this.save();
  }

  private save(): void {
    const partial = `${this.path}.${process.pid}.tmp`;
    writeFileSync(partial, `${JSON.stringify({ version: VERSION, sessions: this.entries }, null, 1)}\n`, { mode: 0o600 });
    renameSync(partial, this.path);
  }
}
