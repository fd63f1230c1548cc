/**
 * Symbol demangling for every frame Heatline shows: C++ (Itanium ABI, as GCC
 * and Clang mangle on Linux and macOS) and Rust (legacy and v0 manglings).
 *
 * `demangle(name)` never throws and returns its input unchanged when the
 * name is not a mangled name or cannot be parsed; names come from the symbol
 * tables of arbitrary binaries, so every demangler bounds its recursion,
 * its output length and its work.
 *
 * Reference outputs, checked by the tests: C++ as GNU c++filt (binutils)
 * prints it; Rust as `perf report` prints it (hash and crate disambiguators
 * left out). See each module's header for the details.
 */

import { demangleItanium } from './itanium';
import { demangleRustLegacy } from './rust-legacy';
import { demangleRustV0 } from './rust-v0';

/** Longer inputs are left alone: real symbols stay far below (node's and LLVM's longest are ~600 characters). */
const MAX_SYMBOL_LENGTH = 1 << 17;

export function demangle(name: string): string {
  if (name.length < 3 || name.length > MAX_SYMBOL_LENGTH || name.charCodeAt(0) !== 0x5f /* _ */) return name;
  try {
    // `foo@plt` (perf's PLT entries) and `foo@@VERSION` (versioned ELF names): demangle the
    // symbol part, as c++filt does with such words.
    const at = name.indexOf('@');
    if (at > 0) {
      const demangled = demangleSymbol(name.slice(0, at));
      return demangled === null ? name : demangled + name.slice(at);
    }
    return demangleSymbol(name) ?? name;
  } catch {
    // The demanglers fail by returning null; anything thrown is a bug, and a
    // bug in naming one frame must not stop the symbolization of a profile.
    return name;
  }
}

function demangleSymbol(name: string): string | null {
  if (name.startsWith('_R') || name.startsWith('__R')) return demangleRustV0(name);
  if (name.startsWith('_ZN') || name.startsWith('__ZN')) {
    // Rust's legacy names are Itanium nested names ending in a hash element.
    const rust = demangleRustLegacy(name);
    if (rust !== null) return rust;
  }
  if (name.startsWith('_Z') || name.startsWith('_GLOBAL_')) return demangleItanium(name);
  return null;
}
