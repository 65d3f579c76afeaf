import { host, type AsyncContext } from './platform/host.js';

/** A checked scope (`checkLeaks`): references taken inside it must be gone by its end. */
export interface Scope {
	readonly parent: Scope | null;
}

// Made when the first scope opens: the host is not there yet while modules load.
let context: AsyncContext<Scope> | undefined;
// Read on every new reference: while no scope is open, taking a reference pays nothing for scopes.
let open = 0;

/** The innermost scope the current async context runs in, or null. */
export function currentScope(): Scope | null {
	return open === 0 ? null : (context?.get() ?? null);
}

/** Runs `fn` inside `scope` and returns its result. */
export function runInScope<R>(scope: Scope, fn: () => R): R {
	return (context ??= host().asyncContext<Scope>()).run(scope, fn);
}

/** Opens a scope nested in the current one; the caller must call `closeScope` exactly once. */
export function openScope(): Scope {
	open++;
	return { parent: currentScope() };
}

/** Closes the scope `openScope` opened. */
export function closeScope(): void {
	open--;
}

/** Whether `inner` is `outer` or nested in it. */
export function within(inner: Scope | null, outer: Scope): boolean {
	for (let s = inner; s !== null; s = s.parent) if (s === outer) return true;
	return false;
}
