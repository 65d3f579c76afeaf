import { performance } from 'node:perf_hooks';
import { beginEvent, type RefEvent } from './events.js';
import { paintStderr, plain, type Paint } from './paint.js';
import { renderLeakGroups } from './report/leaks.js';
import { renderEvent, formatAge } from './report/text.js';
import { closeScope, openScope, runInScope, within } from './scope.js';
import { snapshot, type Snapshot } from './snapshot.js';
import type { Entry } from './tracked.js';
import { dispatch, RefTraceError } from './violations.js';

/**
 * References still live where they should not be: dropped without a release (found by the garbage
 * collector: `collected`), or left at the end of a checked scope or test (`scope`).
 */
export class LeakError extends RefTraceError {
	readonly kind = 'leak';
	/** `collected`: one reference the garbage collector found dropped; `scope`: the references left by a checked scope. */
	readonly found: 'collected' | 'scope';
	/** The leaked references, grouped by the site that took them (not enumerable: test runners print errors' own fields). */
	declare readonly leaks: Snapshot;
	readonly #heading: (paint: Paint) => string[];

	constructor(found: 'collected' | 'scope', summary: string, leaks: Snapshot, heading: (paint: Paint) => string[]) {
		super(summary, heading(plain).join('\n'));
		this.found = found;
		Object.defineProperty(this, 'leaks', { value: leaks, enumerable: false });
		this.#heading = heading;
	}

	render(paint: Paint): string {
		return this.#heading(paint).join('\n');
	}
}

function collectedReport(entry: Entry, event: RefEvent, age: number): LeakError {
	const { record } = entry;
	const summary =
		`ref #${entry.id} of ${record.label} (owner ${event.owner}) was garbage-collected while live, ${formatAge(age)} after it was taken; ` +
		`its count is never given back, so ${record.label} stays at ${record.count}${record.onZero === undefined ? '' : ' and onZero will not run'}`;
	const leaks = snapshot((e) => e === entry);
	const heading = (paint: Paint) => [
		`${paint.red(paint.bold('reftrace: leak:'))} ${summary}`,
		...renderEvent(`${event.op === 'move' ? 'moved here to' : event.op === 'track' ? 'tracked here by' : 'acquired here by'}`, event, null, paint, 'no stack recorded (list mode)'),
	];
	return new LeakError('collected', summary, leaks, heading);
}

/*
 * One FinalizationRegistry for every live Ref in list/full mode. The held value is the Ref's Entry,
 * plain data that does not point back at the Ref, so registering does not keep the Ref alive.
 */
const registry = new FinalizationRegistry<Entry>(collected);

function collected(entry: Entry): void {
	if (entry.ending !== null) return;
	entry.record.end(entry, 'leaked', null, collected);
	const error = collectedReport(entry, beginEvent(entry), performance.now() - entry.time);
	// No call of the application's is running to throw from: under `throw`, the leak is printed.
	const policy = entry.record.policy;
	if (policy === 'throw') {
		dispatch('report', error);
		return;
	}
	try {
		dispatch(policy, error);
	} catch (failure) {
		process.stderr.write(`${paintStderr.red('reftrace: the onViolation callback threw while reporting a leak:')} ${String(failure)}\n`);
	}
}

/*
 * Registering costs about as much as all the rest of a reference, and most references are released
 * within the tick that took them. So new Refs wait here, with their entries, and only those still live
 * at the end of the tick (or once 1,024 are waiting) are registered. A Ref is thus held at most until
 * the end of its tick, and a dropped one is still registered, collected and reported.
 */
const pending: (object | Entry)[] = [];
const PENDING_SLOTS = 2048;
let flushQueued = false;

function flush(): void {
	flushQueued = false;
	for (let i = 0; i < pending.length; i += 2) {
		const ref = pending[i] as object;
		const entry = pending[i + 1] as Entry;
		if (entry.ending === null) {
			registry.register(ref, entry, ref);
			entry.registered = true;
		}
	}
	pending.length = 0;
}

/** Starts watching a live Ref: if it is collected before it is released or moved, it is a leak. */
export function watch(ref: object, entry: Entry): void {
	if (!entry.record.gcLeaks) return;
	pending.push(ref, entry);
	if (pending.length >= PENDING_SLOTS) flush();
	else if (!flushQueued) {
		flushQueued = true;
		queueMicrotask(flush);
	}
}

/** Stops watching a Ref that was released or moved. */
export function unwatch(ref: object, entry: Entry): void {
	if (entry.registered) {
		registry.unregister(ref);
		entry.registered = false;
	}
}

/** The error for references left live by a checked scope, or null when there are none. */
export function scopeLeaks(leaks: Snapshot, what: string): LeakError | null {
	if (leaks.totals.refs === 0) return null;
	const { refs, sites } = leaks.totals;
	const summary = `${what} left ${refs} reference${refs === 1 ? '' : 's'} live, from ${sites} site${sites === 1 ? '' : 's'}`;
	return new LeakError('scope', summary, leaks, (paint) => renderLeakGroups(leaks, `${paint.red(paint.bold('reftrace: leak:'))} ${summary}`, paint));
}

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
	try {
		const result = await runInScope(scope, fn);
		const error = scopeLeaks(snapshot((entry) => entry.ending !== 'leaked' && within(entry.scope, scope)), 'checkLeaks()');
		if (error !== null) throw error;
		return result;
	} finally {
		closeScope();
	}
}
