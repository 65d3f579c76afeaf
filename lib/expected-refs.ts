import type { Entry, ObjectRecord } from './record.js';

/*
 * References meant to live until exit (a pool's root, a singleton cache), as VS Code's `markAsSingleton`:
 * listed apart in snapshots and reports, never counted as leaks. One collected while live is a leak still.
 */
const expected = new WeakSet<Entry>();

/** Marks a reference as meant to live until exit. */
export function expectLongLived(entry: Entry): void {
	expected.add(entry);
}

/**
 * Whether `entry` is a live reference meant to live until exit: marked so, or held by a nested count whose
 * live references all are (a pool's long-lived root holding its socket: the socket's reference lives as long).
 */
export function isLongLived(entry: Entry): boolean {
	if (entry.end !== null) return false;
	return expected.has(entry) || (entry.heldBy !== null && holdsLongLived(entry.heldBy));
}

/** Whether the nested count `holder` is live only through long-lived references. */
function holdsLongLived(holder: ObjectRecord): boolean {
	let any = false;
	for (const entry of holder.live()) {
		if (!isLongLived(entry)) return false;
		any = true;
	}
	return any;
}
