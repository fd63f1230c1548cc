/**
 * The ordered list of importers. Detection is by content, never by file
 * name: the first importer whose sniff accepts the head wins, so the more
 * specific formats come first.
 */

import { collapsedImporter } from './collapsed';
import type { Importer } from './importer';
import { perfScriptImporter } from './perf-script';

export const importers: readonly Importer[] = [perfScriptImporter, collapsedImporter];

export function detectImporter(head: Uint8Array): Importer | null {
  return importers.find((importer) => importer.sniff(head)) ?? null;
}
