/**
 * Where a function's code comes from, in the four groups the timeline's
 * activity graph stacks and the flame graph can colour by: the program's
 * own code, shared libraries, the kernel, JIT-compiled code.
 *
 * The model says kernel and JIT through FuncKind. "Library" versus "user"
 * is a guess from the library path until importers know the executable:
 * shared objects (`*.so`, `*.so.N`), the vDSO and anything under a system
 * library folder are libraries; everything else (the executable, or no
 * library named) is user code.
 */

import { FuncKind, type IndexIntoFuncTable, type Profile } from '../profile/model';

export const Category = {
  user: 0,
  library: 1,
  kernel: 2,
  jit: 3,
} as const;
export type Category = (typeof Category)[keyof typeof Category];

export const CATEGORY_COUNT = 4;
export const categoryNames: Record<Category, string> = {
  [Category.user]: 'User code',
  [Category.library]: 'Libraries',
  [Category.kernel]: 'Kernel',
  [Category.jit]: 'JIT',
};

const LIBRARY_PATH = /\.so(\.[\w.]+)?$|^\[vdso\]$|^\/(usr\/)?lib(32|64|x32)?\//;

export function categoryOfLibrary(library: string): Category {
  return LIBRARY_PATH.test(library) ? Category.library : Category.user;
}

/** Every function's category. */
export function computeFuncCategories(profile: Profile): Uint8Array {
  const { funcs, strings } = profile;
  const out = new Uint8Array(funcs.length);
  const byLibrary = new Map<number, Category>();
  for (let f: IndexIntoFuncTable = 0; f < funcs.length; f++) {
    const kind = funcs.kind[f];
    if (kind === FuncKind.kernel) out[f] = Category.kernel;
    else if (kind === FuncKind.jit) out[f] = Category.jit;
    else {
      const library = funcs.library[f];
      if (library < 0) continue; // user
      let category = byLibrary.get(library);
      if (category === undefined) {
        category = categoryOfLibrary(strings[library] ?? '');
        byLibrary.set(library, category);
      }
      out[f] = category;
    }
  }
  return out;
}

/** Per profile stack, the category of its leaf function: what a sample on that stack was running. */
export function computeStackCategories(profile: Profile, funcCategories: Uint8Array): Uint8Array {
  const { stacks, frames } = profile;
  const out = new Uint8Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) out[s] = funcCategories[frames.func[stacks.frame[s]]];
  return out;
}
