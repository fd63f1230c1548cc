/**
 * The name of code nothing names, in formats that record only its run-time
 * address and its binary (valgrind's `0x4A2B3C: ??? (in /usr/lib/libfoo.so)`,
 * heaptrack's unresolved instruction pointers): the binary's file name and the
 * address, so such rows say where they are (perf.data frames, which carry file
 * offsets, are `libfoo.so+0x1a2b` instead: symbols/binary-resolver.ts).
 */
export function unnamedCodeName(address: number, library: string | null): string {
  const hex = `0x${address.toString(16)}`;
  if (library === null || library === '') return hex;
  const base = library.slice(library.lastIndexOf('/') + 1) || library;
  return `${base}@${hex}`;
}
