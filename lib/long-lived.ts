import { expectLongLived } from './expected-refs.js';
import { tokenOf } from './instrument.js';
import { belowAdapter, Ref } from './ref.js';

/**
 * Marks a reference as meant to live until the process exits (a pool's root, a singleton cache), as VS
 * Code's `markAsSingleton`: it is listed apart ("expected to live until exit") and is not a leak for
 * `checkLeaks`, the vitest helper, the exit report or `REFTRACE_EXIT_CODE`. It is still reported as a leak if
 * the garbage collector finds it dropped while live. The mark belongs to this reference: a reference moved
 * from it is a new one, to be marked again. In `off` mode references are not listed, so it does nothing.
 * @param target a `Ref`, or an object adopted by `instrument` or `traceEmbind` (its reference is marked).
 * @returns `target`.
 * @throws TypeError when `target` is neither a Ref nor an adopted disposable or handle.
 * @example const root = markLongLived(track(new Pool(), { owner: 'app' }));
 */
export function markLongLived<T extends object>(target: T): T {
	const ref = target instanceof Ref ? (target as Ref<object>) : typeof target === 'object' && target !== null ? tokenOf(target) : undefined;
	if (ref === undefined) throw new TypeError(`Expected \`target\` to be a Ref or an object adopted by instrument or traceEmbind, got ${target === null ? 'null' : typeof target}`);
	const entry = belowAdapter.entry(ref);
	if (entry !== null) expectLongLived(entry);
	return target;
}
