import { AsyncLocalStorage } from 'node:async_hooks';

/** A checked scope (`checkLeaks`): references taken inside it must be gone by its end. */
export interface Scope {
	readonly parent: Scope | null;
}

const storage = new AsyncLocalStorage<Scope>();
// Read on every new reference: while no scope is open, taking a reference pays nothing for scopes.
let open = 0;

/** The innermost scope the current async context runs in, or null. */
export function currentScope(): Scope | null {
	return open === 0 ? null : (storage.getStore() ?? null);
}

/** Runs `fn` inside a new scope (nested in the current one) and returns its result. */
export function runInScope<R>(scope: Scope, fn: () => R): R {
	return storage.run(scope, fn);
}

/** Opens a scope; the caller must call `closeScope` exactly once. */
export function openScope(): Scope {
	open++;
	return { parent: currentScope() };
}

export function closeScope(): void {
	open--;
}

/** Whether `inner` is `outer` or nested in it. */
export function within(inner: Scope | null, outer: Scope): boolean {
	for (let s = inner; s !== null; s = s.parent) if (s === outer) return true;
	return false;
}
