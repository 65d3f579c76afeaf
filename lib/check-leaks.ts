import { EntryLog } from './entry-log.js';
import { withMessage } from './errors.js';
import { scopeLeak } from './explain.js';
import type { Entry } from './record.js';
import { closeScope, openScope, runInScope, within } from './scope.js';

/**
 * Runs `fn` (sync or async) and checks that every reference it took — to objects tracked in `list` or
 * `full` mode — was released or moved out by the time it settles. References taken by concurrent work
 * outside `fn` are not counted; a reference moved out of one taken before `fn` is not counted either.
 * @returns a promise of `fn`'s result.
 * @throws (rejects with) `LeakError` listing the references still live, grouped by the site that took them; or whatever `fn` threw.
 * @example await checkLeaks(async () => { const conn = pool.acquire('job'); await work(conn); conn.release(); });
 */
export async function checkLeaks<R>(fn: () => R | PromiseLike<R>): Promise<Awaited<R>> {
	if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`);
	const scope = openScope();
	const inScope = (entry: Entry): boolean => within(entry.scope, scope);
	// What the end checks: the references taken inside the scope, not every live one.
	const taken = new EntryLog(inScope);
	taken.start();
	try {
		const result = await runInScope(scope, fn);
		const error = scopeLeak(taken.listed(), 'checkLeaks()', checkLeaks);
		if (error !== null) throw withMessage(error);
		return result;
	} finally {
		taken.stop();
		closeScope();
	}
}
