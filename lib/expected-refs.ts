import type { Entry } from './record.js';

/*
 * References meant to live until exit (a pool's root, a singleton cache), as VS Code's `markAsSingleton`:
 * listed apart in snapshots and reports, never counted as leaks. One collected while live is a leak still.
 */
const expected = new WeakSet<Entry>();

/** Marks a reference as meant to live until exit. */
export function expectLongLived(entry: Entry): void {
	expected.add(entry);
}

/** Whether `entry` is a live reference marked as meant to live until exit. */
export function isLongLived(entry: Entry): boolean {
	return entry.end === null && expected.has(entry);
}
