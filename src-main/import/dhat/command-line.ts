/** Shared by the memory importers (DHAT, massif, heaptrack): the program's name for the thread list. */

/** "./build/app --fast x" -> "app"; null when the command line is empty or unknown. */
export function programName(commandLine: string | null): string | null {
  const first = commandLine?.trim().split(/\s+/)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1) || null;
}
