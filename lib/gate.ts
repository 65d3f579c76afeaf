import { clock } from './clock.js';
import { host, type AsyncContext } from './platform/host.js';
import type { Entry, Gate, ObjectRecord, Revocation, Section } from './record.js';
import { internFrames } from './stack.js';

/*
 * What makes an acquire a violation beyond a dead reference: a revoke (`ref.revoke()`) and open exclusive
 * sections (`ref.exclusive(fn)`). Both live on the record's `gate`, null for nearly every object, so an
 * acquire pays one check for the two. Everything here runs only when those methods are called.
 */

/** The sections the current async task runs inside, innermost first. */
interface Inside {
	readonly section: Section;
	readonly outer: Inside | null;
}

// Made at the first section: the host is not there yet while modules load.
let context: AsyncContext<Inside> | undefined;

function gateOf(record: ObjectRecord): Gate {
	record.watched = true;
	return (record.gate ??= { revoked: null, sections: [] });
}

/** A section or revoke's stack: recorded in `full` mode only (`list` keeps owners, `off` neither). */
function stackOf(record: ObjectRecord, above: Function) {
	return record.settings.mode === 'full' ? internFrames(host().captureFrames(record.settings.stackDepth, above)) : null;
}

/**
 * Revokes `record`: from now on its live references read as revoked and new ones cannot be taken.
 * `owner` is the revoking reference's owner as `Ref.owner` reads it; `above` null: no call of the
 * application's made it (a promise reaction), so it has no site.
 */
export function revokeRecord(record: ObjectRecord, ref: number, owner: string, reason: string | null, above: Function | null): void {
	const live = record.recorded ? record.live().reverse() : [];
	const revocation: Revocation = { ref, owner, stack: above === null ? null : stackOf(record, above), time: record.recorded ? clock() : 0, reason, live };
	gateOf(record).revoked = revocation;
}

/** The references live at the revoke that are still not released (those the collector found dropped included), oldest first. */
export function stillHeld(revocation: Revocation): Entry[] {
	return revocation.live.filter((entry) => entry.end === null || entry.end.how === 'leaked');
}

/** A new section through reference `ref` (owner `owner`), its site captured in `full` mode. */
export function newSection(record: ObjectRecord, ref: number, owner: string, above: Function): Section {
	return { ref, owner, stack: stackOf(record, above), time: record.recorded ? clock() : 0 };
}

function close(record: ObjectRecord, section: Section): void {
	const gate = record.gate;
	if (gate === null) return;
	const index = gate.sections.lastIndexOf(section);
	if (index >= 0) gate.sections.splice(index, 1);
	if (gate.sections.length > 0 || gate.revoked !== null) return;
	record.gate = null;
	record.watched = record.recorded;
}

/**
 * Runs `fn` as an exclusive section of `record`: until it returns, or until the promise it returns settles,
 * every acquire of the object is an intrusion. `fn` runs in an async context of its own, so that an
 * intrusion can say whether it came from inside the section or from another task. A native promise is
 * followed with `finally`, so a rejection nobody handles is still reported as unhandled by the runtime.
 */
export function runExclusive<R>(record: ObjectRecord, section: Section, fn: () => R): R {
	gateOf(record).sections.push(section);
	const store = (context ??= host().asyncContext<Inside>());
	let result: R;
	try {
		result = store.run({ section, outer: store.get() ?? null }, fn);
	} catch (error) {
		close(record, section);
		throw error;
	}
	if (result instanceof Promise) return result.finally(() => close(record, section)) as R;
	close(record, section);
	return result;
}

/** Whether the calling async task runs inside `section`. */
export function insideSection(section: Section): boolean {
	for (let inside = context?.get() ?? null; inside !== null; inside = inside.outer) if (inside.section === section) return true;
	return false;
}
