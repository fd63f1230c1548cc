/**
 * The tree the Itanium C++ demangler builds between parsing and printing.
 *
 * The node kinds follow what the printer has to tell apart to reproduce
 * `c++filt`'s text, not the grammar one to one: a type's declarator parts
 * (pointer, reference, array, function) are separate nodes because the
 * printer wraps them around the name (`void (*)(int)`), while a nested name
 * is a simple chain. Substitutions (`S_`, `T_`) reuse nodes, so the tree is a
 * DAG; the printer bounds its work for that reason.
 *
 * Spec: https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling
 */

/** Bit flags of `<CV-qualifiers>`. */
export const CV_CONST = 1;
export const CV_VOLATILE = 2;
export const CV_RESTRICT = 4;

export interface FunctionNode {
  k: 'fn';
  /** Return type, or null when the mangling has none (non-template functions, ctors). */
  ret: Node | null;
  params: Node[];
  cv: number;
  ref: '' | '&' | '&&';
  /** `noexcept`, `noexcept(expr)`, `throw(types)`, `transaction_safe`, in mangled order. */
  exc: Node[];
}

export type Node =
  /** An identifier or fixed text: `foo`, `int`, `std`, `(anonymous namespace)`. */
  | { k: 'name'; s: string }
  /** `scope::name`. */
  | { k: 'qual'; scope: Node; name: Node }
  /** `name<args>`. */
  | { k: 'tmpl'; name: Node; args: Node[] }
  /** A constructor or destructor, named after the last source name seen (as c++filt does). */
  | { k: 'ctor'; name: Node; dtor: boolean }
  /** `operator+`, `operator new`: the full text. */
  | { k: 'op'; s: string }
  /** `operator <type>`. */
  | { k: 'conv'; type: Node }
  /** `name[abi:tag]`. */
  | { k: 'abi'; name: Node; tag: string }
  /** A nested name's member-function qualifiers (`NK...E`), printed after the parameters. */
  | { k: 'mq'; child: Node; cv: number; ref: '' | '&' | '&&' }
  /** An exception specification or `transaction_safe`: ` text` or ` text(args)`. */
  | { k: 'exc'; text: string; args: Node[] | null }
  /** `function::entity`, the function printed with its parameters. */
  | { k: 'local'; fn: Node; entity: Node }
  /** `{lambda(params)#n}`. */
  | { k: 'lambda'; params: Node[]; n: number }
  /** `{unnamed type#n}`. */
  | { k: 'unnamed'; n: number }
  /** `vtable for X` and the other special names: `text` + child. */
  | { k: 'special'; text: string; child: Node }
  /** `construction vtable for B-in-A`. */
  | { k: 'ctorvt'; inner: Node; outer: Node }
  /** `reference temporary #n for X`. */
  | { k: 'reftemp'; name: Node; n: string }
  /** A function's name with its type: `[ret ]name(params)[ cv][ ref]`. */
  | { k: 'enc'; name: Node; fn: FunctionNode }
  /** `child [clone .suffix]`. */
  | { k: 'clone'; child: Node; suffix: string }
  /** `global constructors keyed to X`. */
  | { k: 'global'; text: string; child: Node }
  | FunctionNode
  | { k: 'ptr'; child: Node }
  | { k: 'ref'; child: Node; rv: boolean }
  | { k: 'cv'; child: Node; cv: number }
  /** Vendor qualifier `U <name> [args]`: printed after the type like `const`. */
  | { k: 'vq'; child: Node; name: string; args: Node[] | null }
  /** `elem [dim]`; dim null for `[]`. */
  | { k: 'arr'; elem: Node; dim: Node | null }
  /** Pointer to member: `mem cls::*`. */
  | { k: 'pm'; cls: Node; mem: Node }
  /** `elem __vector(dim)`. */
  | { k: 'vec'; elem: Node; dim: Node | null }
  /** `child _Complex` / `child _Imaginary`. */
  | { k: 'post'; child: Node; s: string }
  /**
   * A template parameter reference `T_`. Resolved when printed, against the
   * function template being printed (as c++filt does), so one substitution
   * can stand for different types in different places.
   */
  | { k: 'tp'; idx: number }
  /** A template argument pack `J...E`. */
  | { k: 'pack'; items: Node[] }
  /** A pack expansion `Dp <type>` or `sp <expr>`. */
  | { k: 'expand'; child: Node }
  /** `decltype (expr)`. */
  | { k: 'decltype'; expr: Node }
  /** A literal `L <type> <value> E`. */
  | { k: 'lit'; type: Node; value: string }
  /** `{parm#n}`. */
  | { k: 'fparm'; n: number }
  /** Unary, binary and ternary operator expressions; `op` is the two-letter code. */
  | { k: 'unary'; op: string; arg: Node }
  | { k: 'binary'; op: string; left: Node; right: Node }
  | { k: 'ternary'; op: string; a: Node; b: Node; c: Node }
  /** `f(args)`. */
  | { k: 'call'; fn: Node; args: Node[] }
  /** `(type)(args)` conversion with one or several values. */
  | { k: 'cast'; type: Node; args: Node[]; list: boolean }
  /** `{a, b}` or `type{a, b}`. */
  | { k: 'init'; type: Node | null; items: Node[] }
  /** `new (placement) type(init)`. */
  | { k: 'new'; global: boolean; array: boolean; place: Node[]; type: Node; init: Node[] | null }
  /** `delete x` / `delete[] x`. */
  | { k: 'delete'; global: boolean; array: boolean; arg: Node }
  /** `throw` / `throw x`. */
  | { k: 'throw'; arg: Node | null }
  /** Fold expressions (`(... + x)`, `(x + ...)`, `(x + ... + y)`). */
  | { k: 'fold'; op: string; left: boolean; a: Node; b: Node | null }
  /** `::name` (global scope) in expressions. */
  | { k: 'gs'; child: Node };

/** `[name, arity]` of each two-letter operator code, as c++filt prints them. */
export const OPERATORS: Readonly<Record<string, readonly [string, number]>> = {
  aN: ['&=', 2], aS: ['=', 2], aa: ['&&', 2], ad: ['&', 1], an: ['&', 2],
  at: ['alignof ', 1], aw: ['co_await ', 1], az: ['alignof ', 1],
  cc: ['const_cast', 2], cl: ['()', 2], cm: [',', 2], co: ['~', 1],
  dV: ['/=', 2], dX: ['[...]=', 3], da: ['delete[] ', 1], dc: ['dynamic_cast', 2],
  de: ['*', 1], di: ['=', 2], dl: ['delete ', 1], ds: ['.*', 2], dt: ['.', 2],
  dv: ['/', 2], dx: [']=', 2], eO: ['^=', 2], eo: ['^', 2], eq: ['==', 2],
  ge: ['>=', 2], gs: ['::', 1], gt: ['>', 2], ix: ['[]', 2], lS: ['<<=', 2],
  le: ['<=', 2], ls: ['<<', 2], lt: ['<', 2], mI: ['-=', 2],
  mL: ['*=', 2], mi: ['-', 2], ml: ['*', 2], mm: ['--', 1], na: ['new[]', 3],
  ne: ['!=', 2], ng: ['-', 1], nt: ['!', 1], nw: ['new', 3],
  oR: ['|=', 2], oo: ['||', 2], or: ['|', 2], pL: ['+=', 2], pl: ['+', 2],
  pm: ['->*', 2], pp: ['++', 1], ps: ['+', 1], pt: ['->', 2], qu: ['?', 3],
  rM: ['%=', 2], rS: ['>>=', 2], rc: ['reinterpret_cast', 2], rm: ['%', 2],
  rs: ['>>', 2], sP: ['sizeof...', 1], sZ: ['sizeof...', 1], sc: ['static_cast', 2],
  ss: ['<=>', 2], st: ['sizeof ', 1], sz: ['sizeof ', 1], te: ['typeid ', 1],
  ti: ['typeid ', 1], tr: ['throw', 0], tw: ['throw ', 1],
};

/** Builtin types by their one-letter code. */
export const BUILTINS: Readonly<Record<string, string>> = {
  a: 'signed char', b: 'bool', c: 'char', d: 'double', e: 'long double',
  f: 'float', g: '__float128', h: 'unsigned char', i: 'int', j: 'unsigned int',
  l: 'long', m: 'unsigned long', n: '__int128', o: 'unsigned __int128',
  s: 'short', t: 'unsigned short', v: 'void', w: 'wchar_t', x: 'long long',
  y: 'unsigned long long', z: '...',
};

/** Builtin types spelled `D<letter>`. */
export const D_BUILTINS: Readonly<Record<string, string>> = {
  d: 'decimal64', e: 'decimal128', f: 'decimal32', h: 'half', i: 'char32_t',
  s: 'char16_t', u: 'char8_t', a: 'auto', c: 'decltype(auto)', n: 'decltype(nullptr)',
};

export const name = (s: string): Node => ({ k: 'name', s });

/** Thrown on any parse or print failure; preallocated because failing is routine (non-C++ names). */
export const PARSE_FAILED = new Error('not a valid Itanium mangled name');
