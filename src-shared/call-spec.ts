/**
 * How the host contract writes one call: its argument schema, with the
 * result type carried as a phantom. In a module of its own so that
 * contract.ts and the pieces it spreads in (record/contract.ts) share one
 * definition without importing each other.
 */

import type { z } from 'zod';

/** A call's argument schema, with its result type carried as a phantom. */
export interface CallSpec<Args extends z.ZodType, Result> {
  args: Args;
  /** Never read at run time; carries the result type. */
  result?: Result;
}

/** `call<Result>()(argsSchema)`: the result type is given, the argument type inferred. */
export function call<Result>() {
  return <Args extends z.ZodType>(args: Args): CallSpec<Args, Result> => ({ args });
}
