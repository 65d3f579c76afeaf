import type { ViolationKind } from './data.js';

/** Adds one to `key`'s count. */
export function increment<K>(counts: Map<K, number>, key: K): void {
	counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Violations seen in this process, per kind (snapshots and the exit report recap them). */
export const violationCounts = new Map<ViolationKind, number>();
