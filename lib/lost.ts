import type { ObjectRecord } from './record.js';

/*
 * Objects revoked because what made them is gone (`instrument`'s `revokedWhen`: a lost GPU device). Their
 * references need no release any more: a WebGPU application drops a lost device's buffers when it makes
 * new ones, and a report blaming that correct code would be worse than none. They are listed under the
 * revoke, not as leaks, and one the collector finds dropped is not reported.
 */
const lost = new WeakSet<ObjectRecord>();

/** Marks `record`, just revoked, as lost with its creator. */
export function markLost(record: ObjectRecord): void {
	lost.add(record);
}

/** Whether `record` was revoked by its creator's loss. */
export function isLost(record: ObjectRecord): boolean {
	return lost.has(record);
}
