import { EntryLog } from './entry-log.js';
import { withMessage } from './errors.js';
import { scopeLeak } from './explain.js';
import { closeScope, openScope, runInScope, within } from './scope.js';

/** What the report says of an asynchronous check in a browser, which has no async context to follow. */
export const BY_TIME =
	'checkLeaks() (this browser has no async context: after fn\'s first await, every reference any code on the page took before fn settled is counted, so work running meanwhile is included)';

/**
 * `checkLeaks` where the runtime has no async context (browsers). What it can attribute, exactly: for a
 * synchronous `fn`, every reference it took, as under Node. For an asynchronous one, the references taken
 * before its first `await` are known to be its own; after that no browser can tell whose code took a
 * reference, so the check counts *every* reference taken on the page (or in the worker) while `fn` was
 * pending — references of concurrent work included, and named so in the report. It can therefore report
 * too much, never too little: a check that passes means nothing taken in that time is still live.
 * @returns a promise of `fn`'s result.
 * @throws (rejects with) `LeakError` listing the references still live; or whatever `fn` threw.
 */
export async function checkLeaks<R>(fn: () => R | PromiseLike<R>): Promise<Awaited<R>> {
	if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`);
	const scope = openScope();
	// What the end checks: the references taken since (then sorted out by scope or by time), not every live one.
	const taken = new EntryLog('lineage');
	taken.start();
	try {
		const pending = runInScope(scope, fn);
		const asynchronous = typeof (pending as { then?: unknown } | null)?.then === 'function';
		const result = await pending;
		const error = asynchronous
			? scopeLeak(taken.listed(), BY_TIME, checkLeaks)
			: scopeLeak(taken.listed(), 'checkLeaks()', checkLeaks, (entry) => within(entry.scope, scope));
		if (error !== null) throw withMessage(error);
		return result;
	} finally {
		taken.stop();
		closeScope();
	}
}
