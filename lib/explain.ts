import { clock, milliseconds } from './clock.js';
import type { EventOp, MisuseKind, PriorEvent, RefEvent } from './data.js';
import { ERRORS, LeakError, type MisuseError } from './errors.js';
import { beginEvent, endEvent, makeEvent } from './events.js';
import { isLongLived } from './expected-refs.js';
import { host } from './platform/host.js';
import type { Entry, ObjectRecord } from './record.js';
import { describeFolded, foldNested } from './report/chain.js';
import { describeThrown, formatAge, plural, thrownStack } from './report/format.js';
import { snapshotOf, snapshotOfEntries } from './snapshot.js';
import { captureStack } from './stack.js';
import { BEGUN, deadCall, ENDED, MISUSE, NOTE, onZeroSummary } from './wording.js';

// Calls through a dead reference reported as a use, whose summary names the call rather than `.value`.
const DEAD_CALLS = new Set<EventOp>(['weak', 'exclusive', 'revoke']);

/*
 * Turns what the record knows into the error that explains a violation: the culprit's event, the earlier
 * events that make it wrong, and the sentences that say so. The error's own stack starts at `above`, the
 * public function the application called, and is formatted only if someone reads it.
 */

/** The offending call: what it did, through which reference, and what reftrace knows of that reference. */
export interface Culprit {
	readonly op: EventOp;
	readonly ref: number;
	/** The reference's owner, as `Ref.owner` reads it. */
	readonly owner: string;
	/** The reference's history; null when the object is tracked in `off` mode. */
	readonly entry: Entry | null;
	readonly record: ObjectRecord;
}

/** The offending call as an event, its stack captured now (in every mode: violations are rare). */
export function culpritEvent(culprit: Culprit, above: Function): RefEvent {
	return makeEvent(culprit.op, culprit.ref, culprit.owner, captureStack(culprit.record.settings.stackDepth, above), clock());
}

/** The release or move that ended the reference, then the event that began it. */
function priors(kind: MisuseKind, entry: Entry): PriorEvent[] {
	const result: PriorEvent[] = [];
	const successor = entry.end?.successor ?? null;
	if (successor !== null) {
		result.push({ role: 'move', title: BEGUN.move, event: beginEvent(successor) });
	} else {
		const ended = endEvent(entry);
		if (ended !== null) result.push({ role: 'release', title: MISUSE[kind].released, event: ended });
	}
	result.push({ role: 'acquire', title: BEGUN[entry.origin], event: beginEvent(entry) });
	return result;
}

/** Why earlier events lack something, said once in the report: no history (off), no stacks (list, or not sampled). */
export function historyNote(record: ObjectRecord, entry: Entry | null): string | null {
	if (!record.recorded) return NOTE.off(record.label);
	if (record.settings.mode !== 'full') return NOTE.list(record.label);
	if (entry !== null && entry.stack === null) return NOTE.sampled(record.settings.sample);
	return null;
}

export function trimmed<E extends Error>(error: E, above: Function): E {
	host().trimErrorStack(error, above);
	return error;
}

/** The typed error for a misuse of a dead reference, the culprit's stack captured now. */
export function misuse(kind: MisuseKind, culprit: Culprit, wasMoved: boolean, above: Function, summaryText: string | null = null): MisuseError {
	const { record, entry } = culprit;
	const event = culpritEvent(culprit, above);
	const earlier = entry === null ? [] : priors(kind, entry);
	const moved = earlier.find((p) => p.role === 'move')?.event;
	const away = !wasMoved ? 'released' : moved === undefined ? 'moved' : `moved to ${moved.owner}`;
	const subject = `ref #${culprit.ref} of ${record.label}`;
	const summary = summaryText ?? (DEAD_CALLS.has(culprit.op) ? deadCall(culprit.op, subject, away) : MISUSE[kind].summary(subject, away));
	const data = { object: record.label, summary, culprit: event, earlier, count: record.count, note: historyNote(record, entry), detail: null };
	return trimmed(new ERRORS[kind](data), above);
}

/** The error for an `onZero` callback that threw, with the object's recent history. */
export function onZeroFailed(culprit: Culprit, cause: unknown, above: Function): MisuseError {
	const { record } = culprit;
	const event = culpritEvent(culprit, above);
	const earlier: PriorEvent[] = [];
	for (const entry of record.ended()) {
		if (entry.id === culprit.entry?.id) continue;
		const ended = endEvent(entry);
		if (ended !== null) earlier.push({ role: 'history', title: ended.op === 'move' ? ENDED.move : ENDED.release, event: ended });
	}
	const data = {
		object: record.label,
		summary: onZeroSummary(record.label, describeThrown(cause)),
		culprit: event,
		earlier,
		count: record.count,
		note: historyNote(record, null),
		detail: thrownStack(cause),
	};
	return trimmed(new ERRORS['on-zero-failed'](data, { cause }), above);
}

/** The error for one reference the garbage collector found dropped while live. */
export function collectedLeak(entry: Entry, above: Function): LeakError {
	const { record } = entry;
	const taken = beginEvent(entry);
	const age = formatAge(milliseconds(clock() - entry.time));
	const summary =
		`ref #${entry.id} of ${record.label} (owner ${taken.owner}) was garbage-collected while live, ${age} after it was taken; ` +
		`its count is never given back, so ${record.label} stays at ${record.count}${record.hasOnZero ? ' and onZero will not run' : ''}`;
	const note = historyNote(record, entry) ?? (entry.stack !== null && entry.stack.frames.length === 0 ? NOTE.uncaptured : null);
	return trimmed(new LeakError({ found: 'collected', summary, leaks: snapshotOf(entry), taken, note }), above);
}

// References a checked scope or test reported as left live: when the garbage collector finds one later, it
// is the same leak, already reported.
const reportedByScope = new WeakSet<Entry>();

/** Whether a checked scope or test has reported `entry` as left live. */
export function reportedAsLeft(entry: Entry): boolean {
	return reportedByScope.has(entry);
}

/**
 * The error for the references a checked scope (`what` names it) left live, those of `entries` (in the order
 * they began) that are still listed and that `filter` accepts (all, without one), or null when there are
 * none. The references it names count as reported (see `reportedAsLeft`).
 */
export function scopeLeak(entries: readonly Entry[], what: string, above: Function, filter: ((entry: Entry) => boolean) | null = null): LeakError | null {
	// By object, newest first, as the objects' live lists give them.
	const groups = new Map<ObjectRecord, Entry[]>();
	for (let i = entries.length - 1; i >= 0; i--) {
		const entry = entries[i]!;
		if (filter !== null && !filter(entry)) continue;
		const group = groups.get(entry.record);
		if (group === undefined) groups.set(entry.record, [entry]);
		else group.push(entry);
	}
	// As the exit report counts them: a reference a nested count holds is folded under it (its sites and totals leave it out).
	const { view: leaks, folded } = foldNested(snapshotOfEntries(groups));
	const { refs, sites } = leaks.totals;
	if (refs === 0) return null;
	// A long-lived reference was not reported: should it be collected while live, that leak is news.
	for (const [, group] of groups) for (const entry of group) if (!isLongLived(entry)) reportedByScope.add(entry);
	const summary = `${what} left ${plural(refs, 'reference')} live, from ${plural(sites, 'site')}${describeFolded(folded)}`;
	return trimmed(new LeakError({ found: 'scope', summary, leaks, taken: null }), above);
}
