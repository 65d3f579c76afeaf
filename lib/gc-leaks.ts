import { holdTime, releaseTime } from './clock.js';
import { beginEvent, ownerOf } from './events.js';
import { dispatch, printReport } from './dispatch.js';
import { collectedLeak, reportedAsLeft } from './explain.js';
import { observe, type Entry } from './record.js';
import { isLost } from './lost.js';
import { escapeControls } from './report/escape.js';
import { describeThrown } from './report/format.js';
import { signatureOf } from './report/signature.js';
import { suppressedEntry } from './suppress.js';
import { countSignature, increment, violationCounts } from './tally.js';

/*
 * The garbage-collection leak detector: a consumer of the record's events. It watches the token of every
 * reference that begins (objects tracked with `gcLeaks` in list/full mode); a token collected while its
 * reference is live was dropped without a release.
 *
 * One FinalizationRegistry for every watched token. The held value is the token's Entry, plain data that
 * does not point back at the token, so registering does not keep the token alive.
 */
const registry = new FinalizationRegistry<Entry>(collected);

// Leaks printed per taking site (its stack, or object name and owner without one); past the limit they are only counted.
const printed = new Map<unknown, number>();
const PRINT_LIMIT = 10;
const SITES_LIMIT = 10_000;

function collected(entry: Entry): void {
	if (entry.end !== null) return;
	const { record } = entry;
	record.end(entry, 'leaked', null, collected, null);
	// Revoked by its creator's loss: it needed no release, so dropping it is no leak.
	if (isLost(record)) return;
	// Left live by a checked scope or test, and reported there: the same leak is reported once. Held by a
	// recorded nested count: that count's own references leaked, and were reported as they were collected.
	if (reportedAsLeft(entry) || entry.heldBy?.recorded) return;
	// Screened here, before the per-site print limit: a suppressed leak is neither printed nor counted there.
	if (suppressedEntry(entry)) return;
	const policy = record.settings.onViolation;
	if (typeof policy === 'function') {
		try {
			dispatch(policy, collectedLeak(entry, collected), true);
		} catch (failure) {
			printReport((paint) => `${paint.red('reftrace: the onViolation callback threw while reporting a leak:')} ${escapeControls(describeThrown(failure))}`);
		}
		return;
	}
	// No call of the application's is running to throw from: under `throw` too, the leak is printed.
	const key = printed.size < SITES_LIMIT ? (entry.stack ?? `${record.name}\n${ownerOf(entry)}`) : 'other sites';
	const count = (printed.get(key) ?? 0) + 1;
	printed.set(key, count);
	if (count > PRINT_LIMIT) {
		increment(violationCounts, 'leak');
		countSignature('leak', signatureOf('leak', record.label, beginEvent(entry).stack));
		return;
	}
	const error = collectedLeak(entry, collected);
	dispatch('report', error, true);
	if (count === PRINT_LIMIT) {
		const where = error.taken?.site ?? `${record.name} refs owned by ${ownerOf(entry)}`;
		printReport(() => `reftrace: ${PRINT_LIMIT} leaks taken at ${escapeControls(where)} printed; more from there are counted, not printed (the exit report lists every one)`);
	}
}

/*
 * Registering costs about as much as all the rest of a reference, and a registered token that is dropped
 * survives minor collections and waits for its cleanup callback after a full one: a service whose every
 * reference outlives its tick by a millisecond saw the heap after each full collection double, cycle after
 * cycle (bench/notes.md). Most references are given back within milliseconds, so tokens are registered only
 * if still live when a timer, every WATCH_DELAY ms while any wait, comes round. New tokens wait in `pending`
 * until the end of their tick; those still live then wait in `waiting` for the timer, which registers the
 * ones still live. A dropped token is thus held at most WATCH_DELAY ms after its tick, then registered,
 * collected and reported as before. Held strongly, not through a WeakRef: a WeakRef cost 660 ns per token
 * here, three times a registration (bench/notes.md).
 */
const pending: (object | Entry)[] = [];
const PENDING_SLOTS = 2048;
let flushQueued = false;
const WATCH_DELAY = 10;
// Past this many waiting slots (a burst of long-held references), they are registered at once: the wait is
// bounded in memory as well as in time.
const WAITING_SLOTS = 1 << 16;
const waiting: (object | Entry)[] = [];
let timerSet = false;

/*
 * No unregister token: unregistering a released token would cost a lookup now and a key-map slot (about
 * 40 bytes) for every live one. A released token stays registered instead, and its finalizer, when it is
 * collected some day, finds the entry ended and does nothing.
 */
function register(waiting: (object | Entry)[]): void {
	for (let i = 0; i < waiting.length; i += 2) {
		const entry = waiting[i + 1] as Entry;
		if (entry.end === null) registry.register(waiting[i] as object, entry);
	}
	waiting.length = 0;
}

function watchNow(): void {
	timerSet = false;
	register(waiting);
}

function wakeLater(): void {
	timerSet = true;
	const timer: unknown = setTimeout(watchNow, WATCH_DELAY);
	// Where timers can be unref'd (Node), waiting tokens never keep the process alive.
	(timer as { unref?: () => void }).unref?.();
}

function flush(): void {
	flushQueued = false;
	releaseTime();
	for (let i = 0; i < pending.length; i += 2) {
		if ((pending[i + 1] as Entry).end === null) waiting.push(pending[i]!, pending[i + 1]!);
	}
	pending.length = 0;
	if (waiting.length >= WAITING_SLOTS) register(waiting);
	else if (waiting.length > 0 && !timerSet) wakeLater();
}

function watch(entry: Entry, token: object): void {
	if (!entry.record.settings.gcLeaks) return;
	pending.push(token, entry);
	if (pending.length >= PENDING_SLOTS) flush();
	else if (!flushQueued) {
		flushQueued = true;
		queueMicrotask(flush);
		// Until the flush, at the end of this task, the task's events share this one's time (see clock.ts).
		holdTime(entry.eraTime);
	}
}

let started = false;

/** Starts the detector: from now on, every reference that begins is watched. Idempotent. */
export function watchCollections(): void {
	if (started) return;
	started = true;
	observe({ begin: watch });
}
