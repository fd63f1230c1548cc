/** Detect a source's format and import it, turning every failure into one line that names the file. */

import { basename } from 'node:path';
import { CancelledError, ImportError, UserFacingError, oneLineMessage } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import type { ImportOptions, ImportSource } from './importer';
import { detectImporter, importers } from './registry';

export async function loadProfile(source: ImportSource, options: ImportOptions = {}): Promise<Profile> {
  if (source.size === 0) throw new UserFacingError(`${source.name}: the file is empty`);
  const importer = detectImporter(source.head);
  if (importer === null) {
    const labels = importers.map((i) => i.label).join(', ');
    throw new UserFacingError(`${source.name}: not a profile Heatline can read (${describeContent(source.head)}; it reads ${labels})`);
  }
  let profile: Profile;
  try {
    profile = await importer.import(source, options);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    if (error instanceof ImportError) throw new UserFacingError(`${source.name}: ${importer.label}: ${error.message}`);
    throw new UserFacingError(`${source.name}: ${oneLineMessage(error)}`);
  }
  profile.meta.sourceName = basename(source.name);
  return profile;
}

function describeContent(head: Uint8Array): string {
  const sample = head.subarray(0, 4096);
  let control = 0;
  for (const byte of sample) if (byte === 0 || (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13)) control++;
  return control > 0 ? 'binary data of an unknown kind' : 'text in no known profile format';
}
