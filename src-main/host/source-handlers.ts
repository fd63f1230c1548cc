/**
 * The source pane's host calls (issue 5). Per open profile the host keeps a
 * small record, not the profile: which source files its debug info names
 * (the only ones it will read, with those the user picks), which binaries it
 * names (the only ones it will disassemble) and their build-ids, and the
 * path remaps. The window names a profile by the `profileId` it got from
 * openFile/openBytes; an unknown id is refused.
 *
 * Each record keeps the profile's provenance: opened by a path the user chose
 * (openFile) or uploaded by the window (openBytes). An uploaded profile's
 * debug info is the window's word, so it may make the host read only files
 * that look like source, and disassemble no hidden paths (source-rules.ts).
 *
 * Remaps are remembered per build-id, else binary path (remap-store.ts), in
 * the host's settings folder: Electron's userData, or
 * $XDG_CONFIG_HOME/heatline in serve mode. A profile that names no binary
 * with source files (DHAT, perf script text without DSOs) has no key: its
 * remaps last while it is open, and `rememberedFor` is empty to say so.
 */

import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { HostHandlers, SourceReadResult, SourceRemaps } from '../../src-shared/contract';
import { UserFacingError } from '../../src-shared/errors';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { disassembleFunction } from '../source/disassemble';
import { defaultSettingsDir, RemapStore } from '../source/remap-store';
import { normalizePath, remapFromPick, type PathRemap } from '../source/remaps';
import { describeMissing, SourceAccess, type Provenance, type SourceRead } from '../source/source-files';
import { whyNotBinary } from '../source/source-rules';

export interface SourceServices {
  /** Where remaps are remembered; default: defaultSettingsDir(). */
  settingsDir?: string;
  /** Locate…: a native file dialog; absent in browser mode. Resolves to the picked path, or null. */
  pickSourceFile?: (missingPath: string) => Promise<string | null>;
  /** Tests: the disassembler program. */
  objdump?: string;
}

type SourceCallName = 'readSource' | 'locateSource' | 'getSourceRemaps' | 'setSourceRemaps' | 'disassemble' | 'closeProfile';

interface ProfileRecord {
  access: SourceAccess;
  /** Binaries the profile's functions name -> recorded build-id (or null). */
  libraries: Map<string, string | null>;
  /** Remap store keys: the build-ids (else paths) of the binaries that have source files. */
  remapKeys: string[];
  /** perf.data frames carry file offsets; other formats' addresses are run-time ones. */
  addressesAreFileOffsets: boolean;
}

/** Open profiles kept at most; the oldest record goes first (a window that never closes its tabs). */
const MAX_PROFILES = 64;
/** Evicted ids remembered, so that their calls can say why they fail. */
const MAX_EVICTED_IDS = 1024;

export interface SourceHost {
  /** Makes the record for a newly opened profile; returns its id. */
  register(profile: Profile, provenance: Provenance): string;
  handlers: Pick<HostHandlers, SourceCallName>;
}

export function createSourceHost(services: SourceServices): SourceHost {
  const records = new Map<string, ProfileRecord>();
  const evicted = new Set<string>();
  const store = new RemapStore(join(services.settingsDir ?? defaultSettingsDir(), 'source-remaps.json'));

  const recordOf = (profileId: string): ProfileRecord => {
    const record = records.get(profileId);
    if (record === undefined && evicted.has(profileId)) {
      throw new UserFacingError(`profile ${profileId} was evicted: this host keeps source access for the ${MAX_PROFILES} most recently opened profiles; open the file again`);
    }
    if (record === undefined) throw new UserFacingError(`no open profile ${profileId} (it was closed)`);
    return record;
  };

  const remapsOf = (record: ProfileRecord): SourceRemaps => ({ remaps: record.access.getRemaps(), rememberedFor: [...record.remapKeys] });

  const setRemaps = (record: ProfileRecord, remaps: PathRemap[]) => {
    record.access.setRemaps(remaps);
    store.save(record.remapKeys, remaps);
  };

  return {
    register(profile, provenance) {
      const id = randomUUID();
      const libraries = librariesOf(profile);
      const remapKeys = remapKeysOf(profile, libraries);
      const remaps = store.lookup(remapKeys);
      records.set(id, {
        access: SourceAccess.fromProfile(profile, remaps, provenance),
        libraries,
        remapKeys,
        addressesAreFileOffsets: profile.meta.format === 'perf.data',
      });
      if (records.size > MAX_PROFILES) {
        const oldest = records.keys().next().value!;
        records.delete(oldest);
        evicted.add(oldest);
        if (evicted.size > MAX_EVICTED_IDS) evicted.delete(evicted.values().next().value!);
      }
      return id;
    },
    handlers: {
      readSource: async ({ profileId, path }) => resultOf(await recordOf(profileId).access.read(path)),
      locateSource: async ({ profileId, path }) => {
        const record = recordOf(profileId);
        const refused = record.access.whyRefused(path);
        // Never a dialog for a file the profile may not name: the pick would make it readable.
        if (refused !== null) return { kind: 'refused', message: describeMissing({ kind: 'refused', path, reason: refused }) };
        if (services.pickSourceFile === undefined) {
          return { kind: 'unavailable', message: 'this window cannot show a file dialog: add a remap (old prefix → new folder) instead' };
        }
        const picked = await services.pickSourceFile(path);
        if (picked === null) return { kind: 'cancelled' };
        record.access.allowPicked(picked);
        const remap = remapFromPick(path, picked);
        const remaps = record.access.getRemaps();
        if (remap !== null && !remaps.some((r) => r.from === remap.from && r.to === remap.to)) setRemaps(record, [remap, ...remaps]);
        let read = await record.access.read(path);
        // File names differ (no remap implied): show the picked file as this one.
        if (read.kind !== 'found') {
          const direct = await record.access.read(picked);
          if (direct.kind === 'found') read = { ...direct, path };
        }
        return { kind: 'picked', read: resultOf(read), remap };
      },
      getSourceRemaps: ({ profileId }) => remapsOf(recordOf(profileId)),
      setSourceRemaps: ({ profileId, remaps }) => {
        const record = recordOf(profileId);
        for (const remap of remaps) checkRemap(remap);
        setRemaps(
          record,
          remaps.map((r) => ({ from: r.from === '.' ? '.' : normalizePath(r.from), to: normalizePath(r.to) })),
        );
        return remapsOf(record);
      },
      disassemble: async ({ profileId, library, functionName, offsets }) => {
        const record = recordOf(profileId);
        if (!record.libraries.has(library)) throw new UserFacingError(`${library}: refused: the profile does not name this binary`);
        const refused = await whyNotBinary(library, record.access.provenance);
        if (refused !== null) throw new UserFacingError(`${library}: refused: ${refused}`);
        return disassembleFunction({
          library,
          buildId: record.libraries.get(library) ?? null,
          offsets,
          offsetsAreFileOffsets: record.addressesAreFileOffsets,
          functionName,
          objdump: services.objdump,
        });
      },
      closeProfile: ({ profileId }) => {
        records.delete(profileId);
      },
    },
  };
}

function resultOf(read: SourceRead): SourceReadResult {
  if (read.kind === 'found') return read;
  if (read.kind === 'refused') return { kind: 'refused', path: read.path, message: describeMissing(read) };
  return { kind: 'not-found', path: read.path, tried: read.tried, message: describeMissing(read) };
}

/** A remap the user typed: `from` any prefix (or `.`), `to` an absolute folder that exists. */
function checkRemap(remap: PathRemap): void {
  if (remap.from.trim() === '') throw new UserFacingError('a remap needs an old prefix');
  if (!isAbsolute(remap.to)) throw new UserFacingError(`${remap.to}: the new prefix must be an absolute folder`);
  let isFolder = false;
  try {
    isFolder = statSync(remap.to).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new UserFacingError(`${remap.to}: no such folder`);
}

function librariesOf(profile: Profile): Map<string, string | null> {
  const buildIds = new Map<string, string | null>();
  for (const binary of profile.meta.binaries ?? []) if (!buildIds.has(binary.path) || binary.buildId !== null) buildIds.set(binary.path, binary.buildId);
  const out = new Map<string, string | null>();
  for (let f = 0; f < profile.funcs.length; f++) {
    const library = profile.funcs.library[f];
    if (library < 0) continue;
    const path = stringAt(profile, library);
    if (!out.has(path)) out.set(path, buildIds.get(path) ?? null);
  }
  return out;
}

/** The binaries whose functions name source files: their build-ids, else their paths. */
function remapKeysOf(profile: Profile, libraries: Map<string, string | null>): string[] {
  const keys = new Set<string>();
  const add = (f: number) => {
    if (profile.funcs.library[f] < 0) return;
    const path = stringAt(profile, profile.funcs.library[f]);
    keys.add(libraries.get(path) ?? path);
  };
  for (let f = 0; f < profile.funcs.length; f++) if (profile.funcs.file[f] >= 0) add(f);
  // A function without a file of its own can still run lines of one (frames.file).
  for (let fr = 0; fr < profile.frames.length; fr++) if (profile.frames.file[fr] >= 0) add(profile.frames.func[fr]);
  return [...keys].sort();
}
