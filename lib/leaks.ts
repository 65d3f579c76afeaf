import type { Entry } from './tracked.js';

/*
 * One FinalizationRegistry for every live Ref in list/full mode. The held value is the Ref's Entry,
 * plain data that does not point back at the Ref, so registering does not keep the Ref alive.
 */
const registry = new FinalizationRegistry<Entry>(collected);

function collected(entry: Entry): void {
	if (entry.ending !== null) return;
	entry.record.end(entry, 'leaked', null);
}

/** Starts watching a live Ref: if it is collected before it is released or moved, it is a leak. */
export function watch(ref: object, entry: Entry): void {
	registry.register(ref, entry, ref);
}

/** Stops watching a Ref that was released or moved. */
export function unwatch(ref: object): void {
	registry.unregister(ref);
}
