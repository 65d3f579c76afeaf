import { performance } from 'node:perf_hooks';
import { beginEvent, ownerOf, type RefEvent } from './events.js';
import { paintStderr, plain, type Paint } from './paint.js';
import { plural, renderLeakGroups } from './report/leaks.js';
import { renderEvent, formatAge } from './report/text.js';
import { closeScope, openScope, runInScope, within } from './scope.js';
import { collectSnapshot, snapshotOf, type Snapshot } from './snapshot.js';
import { clock, milliseconds, type Entry } from './tracked.js';
import { countViolation, dispatch, RefTraceError } from './violations.js';

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
	const leaks = snapshotOf(entry);
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

// Leaks printed per taking site (its stack, or object name and owner without one); past the limit they are only counted.
const printed = new Map<unknown, number>();
const PRINT_LIMIT = 10;
const SITES_LIMIT = 10_000;

function collected(entry: Entry): void {
	if (entry.ending !== null) return;
	entry.record.end(entry, 'leaked', null, collected, null);
	const policy = entry.record.policy;
	const age = milliseconds(clock() - entry.time);
	if (typeof policy === 'function') {
		try {
			dispatch(policy, collectedReport(entry, beginEvent(entry), age));
		} catch (failure) {
			process.stderr.write(`${paintStderr.red('reftrace: the onViolation callback threw while reporting a leak:')} ${String(failure)}\n`);
		}
		return;
	}
	// No call of the application's is running to throw from: under `throw` too, the leak is printed.
	const key = printed.size < SITES_LIMIT ? (entry.stack ?? `${entry.record.name}\n${ownerOf(entry)}`) : 'other sites';
	const count = (printed.get(key) ?? 0) + 1;
	printed.set(key, count);
	if (count > PRINT_LIMIT) {
		countViolation('leak');
		return;
	}
	const event = beginEvent(entry);
	dispatch('report', collectedReport(entry, event, age));
	if (count === PRINT_LIMIT) {
		const where = event.site ?? `${entry.record.name} refs owned by ${event.owner}`;
		process.stderr.write(`reftrace: ${PRINT_LIMIT} leaks taken at ${where} printed; more from there are counted, not printed (the exit report lists every one)\n`);
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

/*
 * No unregister token: unregistering a released Ref would cost a lookup now and a key-map slot (about
 * 40 bytes) for every live one. A released Ref stays registered instead, and its finalizer, when it is
 * collected some day, finds the entry ended and does nothing.
 */
function flush(): void {
	flushQueued = false;
	for (let i = 0; i < pending.length; i += 2) {
		const entry = pending[i + 1] as Entry;
		if (entry.end === null) registry.register(pending[i] as object, entry);
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

/** The error for references left live by a checked scope, or null when there are none. */
export function scopeLeaks(leaks: Snapshot, what: string): LeakError | null {
	if (leaks.totals.refs === 0) return null;
	const { refs, sites } = leaks.totals;
	const summary = `${what} left ${plural(refs, 'reference')} live, from ${plural(sites, 'site')}`;
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
		const error = scopeLeaks(collectSnapshot((entry) => within(entry.scope, scope)), 'checkLeaks()');
		if (error !== null) throw error;
		return result;
	} finally {
		closeScope();
	}
}
