/**
 * The single entry for every call from a window, whatever the transport:
 * check the name, validate the arguments against the contract's schema, run
 * the handler, and turn any failure into a one-line CallOutcome.
 */

import { hostCalls, type CallOutcome, type HostCallName, type HostHandlers } from '../../src-shared/contract';
import { oneLineMessage } from '../../src-shared/errors';

export function isHostCallName(name: unknown): name is HostCallName {
  return typeof name === 'string' && Object.hasOwn(hostCalls, name);
}

export async function dispatchCall(handlers: HostHandlers, name: unknown, rawArgs: unknown): Promise<CallOutcome<unknown>> {
  if (!isHostCallName(name)) return { ok: false, error: `unknown host call ${JSON.stringify(String(name)).slice(0, 80)}` };
  const parsed = hostCalls[name].args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: `${name}: bad argument${where}: ${issue?.message ?? 'invalid'}` };
  }
  try {
    const handler = handlers[name] as (args: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    return { ok: false, error: oneLineMessage(error) };
  }
}
