/**
 * Source remaps the user typed or implied with Locate…, remembered per
 * binary: the key is the build-id (the same build is the same source tree,
 * wherever the profile file goes), or the binary's path when the recording
 * has no build-id. One small JSON file in the host's settings folder:
 *
 *   { "version": 1, "remaps": { "<build-id or path>": [{ "from": "/build", "to": "/home/me/src" }] } }
 *
 * A missing or damaged file is an empty store; it is rewritten whole on
 * each change (it is tiny) through a temporary file and a rename.
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PathRemap } from './remaps';

const MAX_KEYS = 500;

/** serve mode and the CLI: $XDG_CONFIG_HOME/heatline, else ~/.config/heatline. */
export function defaultSettingsDir(): string {
  const config = process.env.XDG_CONFIG_HOME;
  return join(config !== undefined && config.startsWith('/') ? config : join(homedir(), '.config'), 'heatline');
}

export class RemapStore {
  constructor(readonly file: string) {}

  /** The union of the remaps remembered under any of `keys`, first key first, without repeats. */
  lookup(keys: readonly string[]): PathRemap[] {
    const all = this.load();
    const out: PathRemap[] = [];
    for (const key of keys) {
      for (const remap of all[key] ?? []) if (!out.some((r) => r.from === remap.from && r.to === remap.to)) out.push(remap);
    }
    return out;
  }

  /** Remembers `remaps` under every one of `keys` (replacing what was there). */
  save(keys: readonly string[], remaps: readonly PathRemap[]): void {
    if (keys.length === 0) return;
    const all = this.load();
    for (const key of keys) {
      delete all[key];
      if (remaps.length > 0) all[key] = remaps.map(({ from, to }) => ({ from, to }));
    }
    // The newest keys are last; the oldest go first when the file grows too big.
    const entries = Object.entries(all).slice(-MAX_KEYS);
    mkdirSync(dirname(this.file), { recursive: true });
    const partial = `${this.file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify({ version: 1, remaps: Object.fromEntries(entries) }, null, 1));
    renameSync(partial, this.file);
  }

  private load(): Record<string, PathRemap[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return {};
    }
    const remaps = (parsed as { remaps?: unknown } | null)?.remaps;
    if (remaps === null || typeof remaps !== 'object') return {};
    const out: Record<string, PathRemap[]> = {};
    for (const [key, list] of Object.entries(remaps as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      out[key] = list.filter(
        (r): r is PathRemap => r !== null && typeof r === 'object' && typeof (r as PathRemap).from === 'string' && typeof (r as PathRemap).to === 'string',
      );
    }
    return out;
  }
}
