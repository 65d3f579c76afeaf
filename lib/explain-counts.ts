import type { EventOp, PriorEvent, RefEvent } from './data.js';
import { AcquireAfterRevokeError, AcquireDuringExclusiveError, ExclusiveNotUniqueError, UseAfterRevokeError, type MisuseError } from './errors.js';
import { beginEvent, makeEvent } from './events.js';
import { culpritEvent, historyNote, trimmed, type Culprit } from './explain.js';
import type { Revocation, Section } from './record.js';
import { BEGUN, COUNTS, revokedFor } from './wording.js';

/*
 * The errors of the count semantics: a use or acquire after a revoke, an exclusive section entered while
 * others hold the object, an acquire into a running section. Like `explain.misuse`, each names the
 * culprit and the earlier events that make it wrong; `off` mode has no history to name.
 */

// How many other live references an `exclusive-not-unique` report names.
const OTHERS = 8;

function revokeEvent(revocation: Revocation): RefEvent {
	return makeEvent('revoke', revocation.ref, revocation.owner, revocation.stack, revocation.time);
}

function sectionEvent(section: Section): RefEvent {
	return makeEvent('exclusive', section.ref, section.owner, section.stack, section.time);
}

function data(culprit: Culprit, summary: string, earlier: PriorEvent[], event: RefEvent) {
	const { record, entry } = culprit;
	return { object: record.label, summary, culprit: event, earlier, count: record.count, note: historyNote(record, entry), detail: null };
}

/** `use-after-revoke` (`op` is `use`, `exclusive` or `revoke`) or `acquire-after-revoke` (`acquire`, `move`). */
export function afterRevoke(culprit: Culprit, revocation: Revocation, above: Function): MisuseError {
	const { record, entry, op } = culprit;
	const subject = `ref #${culprit.ref} of ${record.label}`;
	const earlier: PriorEvent[] = [];
	if (record.recorded) earlier.push({ role: 'revoke', title: revokedFor(revocation.reason), event: revokeEvent(revocation) });
	const event = culpritEvent(culprit, above);
	if (op === 'acquire' || op === 'move') {
		const summary = COUNTS.acquireAfterRevoke(op, subject, record.label, revocation.reason);
		return trimmed(new AcquireAfterRevokeError(data(culprit, summary, earlier, event), revocation.reason), above);
	}
	if (entry !== null) earlier.push({ role: 'acquire', title: BEGUN[entry.origin], event: beginEvent(entry) });
	const summary = COUNTS.useAfterRevoke(op, subject, record.label, revocation.reason);
	return trimmed(new UseAfterRevokeError(data(culprit, summary, earlier, event), revocation.reason), above);
}

/** `exclusive-not-unique`: the section's culprit and the other live references (the newest first, at most eight). */
export function notUnique(culprit: Culprit, above: Function): MisuseError {
	const { record } = culprit;
	const others = record.recorded ? record.live().filter((entry) => entry !== culprit.entry) : [];
	const earlier = others.slice(0, OTHERS).map((entry): PriorEvent => ({ role: 'other', title: COUNTS.other, event: beginEvent(entry) }));
	const summary = COUNTS.notUnique(`ref #${culprit.ref} of ${record.label}`, record.count);
	return trimmed(new ExclusiveNotUniqueError(data(culprit, summary, earlier, culpritEvent(culprit, above))), above);
}

/** `acquire-during-exclusive`: the intruding acquire (`op`: `acquire` or `try-acquire`), and the section it broke into. */
export function intrusion(culprit: Culprit, section: Section, inside: boolean, above: Function): MisuseError {
	const { record, entry } = culprit;
	const op: EventOp = culprit.op;
	const earlier: PriorEvent[] = [{ role: 'section', title: COUNTS.section, event: sectionEvent(section) }];
	if (entry !== null) earlier.push({ role: 'acquire', title: BEGUN[entry.origin], event: beginEvent(entry) });
	const summary = COUNTS.intrusion(op, record.label, `ref #${section.ref}`, section.owner, inside);
	return trimmed(new AcquireDuringExclusiveError(data(culprit, summary, earlier, culpritEvent(culprit, above)), !inside), above);
}
