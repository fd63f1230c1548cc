/**
 * The ordered list of importers. Detection is by content, never by file
 * name: the first importer whose sniff accepts the head wins, so the more
 * specific formats come first.
 */

import { collapsedImporter } from './collapsed';
import { dhatImporter } from './dhat';
import { heaptrackImporter } from './heaptrack';
import type { Importer } from './importer';
import { massifImporter } from './massif';
import { perfDataImporter } from './perf-data';
import { perfScriptImporter } from './perf-script';
import { straceImporter } from './strace';

// perf.data first: its magic ("PERFILE2") is the most specific test. strace
// before the loose text formats: its lines start with a clock time, which
// neither perf script nor collapsed stacks do.
export const importers: readonly Importer[] = [perfDataImporter, dhatImporter, heaptrackImporter, massifImporter, straceImporter, perfScriptImporter, collapsedImporter];

export function detectImporter(head: Uint8Array): Importer | null {
  return importers.find((importer) => importer.sniff(head)) ?? null;
}
