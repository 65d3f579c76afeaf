import { host, type AsyncContext } from './platform/host.js';
import { notNonEmptyString } from './settings.js';

/*
 * Owners from context (`withOwner`): references taken without an explicit owner inside the function are
 * owned by the context's owner, through awaits, as the runtime's async context carries it.
 */

// Made at the first withOwner: the host is not there yet while modules load.
let context: AsyncContext<string> | undefined;

/**
 * Whether any withOwner ran: until then, taking a reference pays nothing for owners from context. (Not a
 * count of open calls: closing one when an async function settles would mean handling its promise, and a
 * rejection the application leaves unhandled must stay unhandled.)
 */
export let ownersInContext = false;

/** The owner of the innermost `withOwner` the current async context runs in, or null. */
export function contextOwner(): string | null {
	return context?.get() ?? null;
}

/**
 * Runs `fn` so that every reference taken inside it (synchronously or after any number of awaits) without
 * an explicit owner is owned by `owner`: a request id, a route, a job name. Nested calls: the innermost wins.
 * Objects tracked in `off` mode keep no owners, so there it only runs `fn`.
 * @returns what `fn` returns, unchanged (its promise itself, for an async `fn`).
 * @throws TypeError when `owner` is not a non-empty string or `fn` not a function; whatever `fn` throws.
 * @example app.use((req, res, next) => withOwner(`${req.method} ${req.route}`, next));
 */
export function withOwner<R>(owner: string, fn: () => R): R {
	if (typeof owner !== 'string' || owner === '') {
		throw notNonEmptyString('owner', owner);
	}
	if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`);
	ownersInContext = true;
	return (context ??= host().asyncContext<string>()).run(owner, fn);
}
