/**
 * `heatline annotate`: one function's source with per-line costs, like
 * `perf annotate --stdio`'s source view. cli.ts parses the arguments and
 * loads the profile; this prints. A missing source file is not a failure:
 * the costs still print, without text, and stderr says which paths were
 * tried. An unknown function, or one without line information, is (exit 1).
 */

import { annotateFunction, formatAnnotationText, type Annotation } from '../../src-shared/annotate';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import { UserFacingError } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import type { PathRemap } from './remaps';
import { describeMissing, SourceAccess } from './source-files';

export interface AnnotateCommandOptions {
  functionName?: string;
  json: boolean;
  remaps: PathRemap[];
}

/** What --json prints: the annotation, and the text of its lines firstLine..lastLine (null when not found). */
export interface AnnotateJson extends Annotation {
  source: { readFrom: string; lines: string[] } | null;
}

export async function runAnnotate(
  profile: Profile,
  options: AnnotateCommandOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const result = annotateFunction(profile, computeStackWeights(profile), { functionName: options.functionName });
  if (!result.ok) throw new UserFacingError(`${profile.meta.sourceName}: ${result.error}`);
  const annotation = result.annotation;

  const read = await SourceAccess.fromProfile(profile, options.remaps).read(annotation.file);
  const found = read.kind === 'found' ? { readFrom: read.readFrom, lines: read.text.split('\n') } : null;
  if (read.kind !== 'found') io.stderr.write(`heatline: ${describeMissing(read)}\n`);

  if (options.json) {
    // Only the annotated range's text: the whole file could be megabytes.
    const source = found && { readFrom: found.readFrom, lines: found.lines.slice(annotation.firstLine - 1, annotation.lastLine) };
    const json: AnnotateJson = { ...annotation, source };
    io.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    io.stdout.write(`${formatAnnotationText(annotation, found?.lines ?? null)}\n`);
  }
  return 0;
}

/** `--remap FROM=TO`, as typed on the command line; null when it has no `=`. */
export function parseRemap(text: string): PathRemap | null {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) return null;
  return { from: text.slice(0, at), to: text.slice(at + 1) };
}
