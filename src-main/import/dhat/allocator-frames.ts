/**
 * Which frames are the allocator itself, shared by the DHAT, massif and
 * heaptrack importers. A memory profile's allocation site is the function
 * that CALLED the allocator, as heaptrack and massif report it, so the
 * importers drop these frames from the leaf end of every allocation stack
 * (only there: an allocator frame in the middle of a stack stays).
 *
 * What counts as the allocator:
 * - the C and C++ allocation entry points: malloc, calloc, realloc,
 *   reallocarray, free, aligned_alloc, posix_memalign, memalign, valloc,
 *   pvalloc, operator new / new[] / delete / delete[] in every overload
 *   (demangled or mangled), valgrind's __builtin_new / __builtin_vec_new,
 *   and glibc's internal aliases (__libc_malloc, __GI___libc_malloc, ...).
 *   This is massif's default --alloc-fn list plus heaptrack's skipped
 *   `operator new` frames.
 * - valgrind's replacement functions: frames in vg_replace_malloc.c or
 *   vg_replace_strmem.c, or in a vgpreload_*.so without debug info. DHAT
 *   drops vg_replace_malloc.c frames itself when it has their debug info;
 *   Debian ships the preload stripped, so `malloc (in .../vgpreload_dhat-
 *   amd64-linux.so)` reaches the file and is dropped here. In copy mode the
 *   same rule drops the replaced memcpy, so the site is memcpy's caller.
 * - Rust's global allocator glue, by the rule dhat-rs itself uses to trim
 *   its backtraces (first_symbol_to_show in dhat-rs src/lib.rs): names
 *   starting `alloc::alloc::`, `<alloc::alloc::`, `<dhat::Alloc`, `__rg_`,
 *   plus `__rust_alloc`/`__rust_realloc`/... and `__rdl_*` (the default
 *   System allocator shims). For ad hoc events dhat-rs trims nothing, so
 *   its own `dhat::` frames and the backtrace crate's are dropped too: the
 *   site is the caller of dhat::ad_hoc_event.
 *
 * Not allocators: strdup, strndup, asprintf, getline, g_malloc, Vec's
 * RawVec::grow and the like. They are functions the program calls by name;
 * massif's default alloc-fns do not list them, heaptrack shows them as the
 * allocating frame, and DHAT shows `strdup (strdup.c:42)` under malloc. So
 * `p = strdup(s)` is a strdup site, called from the program's function.
 */

const C_ALLOCATORS = new Set([
  'malloc',
  'calloc',
  'realloc',
  'reallocarray',
  'free',
  'cfree',
  'aligned_alloc',
  'posix_memalign',
  'memalign',
  'valloc',
  'pvalloc',
  '__builtin_new',
  '__builtin_vec_new',
  '__builtin_delete',
  '__builtin_vec_delete',
]);

/** glibc's internal names for the same entry points. */
const C_PREFIXES = ['__GI___libc_', '__libc_', '__GI_'];

const RUST_PREFIXES = [
  'alloc::alloc::',
  '<alloc::alloc::',
  '<dhat::Alloc',
  '__rg_',
  '__rdl_',
  '__rust_alloc',
  '__rust_realloc',
  '__rust_dealloc',
  // dhat-rs's own frames and the backtrace crate's, which it leaves on top of ad hoc events.
  'dhat::',
  'backtrace::',
  '<backtrace::',
];

/** Mangled operator new/delete (Itanium ABI): _Znwm, _Znam, _ZdlPv, _ZdaPv and their overloads. */
const MANGLED_NEW_DELETE = /^_Z(?:n[wa]|d[la])[jmy]?/;

/** valgrind's Z-encoded replacement names, as seen without debug info: _vgr10010ZU_libcZdsoZa_malloc. */
const VALGRIND_ZENCODED = /^_vg[rw]\d+Z[UZ]_/;

export function isAllocatorFunction(name: string): boolean {
  if (C_ALLOCATORS.has(name)) return true;
  // A name with a signature, as valgrind prints C++ symbols: "operator new(unsigned long)".
  if (name.startsWith('operator new') || name.startsWith('operator delete')) return true;
  for (const prefix of C_PREFIXES) {
    if (name.startsWith(prefix) && C_ALLOCATORS.has(name.slice(prefix.length))) return true;
  }
  for (const prefix of RUST_PREFIXES) if (name.startsWith(prefix)) return true;
  return MANGLED_NEW_DELETE.test(name) || VALGRIND_ZENCODED.test(name);
}

/** A frame of valgrind's own replacement code (malloc, memcpy, ...), whatever its name. */
export function isValgrindReplacement(file: string | null, library: string | null): boolean {
  if (file !== null && (file.endsWith('vg_replace_malloc.c') || file.endsWith('vg_replace_strmem.c'))) return true;
  return library !== null && library.includes('/vgpreload_');
}
