import { host } from './platform/host.js';
import type { ObjectRecord } from './record.js';
import { internFrames, type Stack } from './stack.js';

/*
 * Untracked references (objects counted by their own retain/release, without a token per reference):
 * the net count of each call path, as the kernel's ref_tracker counts references taken without a
 * tracker. A retain and a release with the same stack cancel at once; the rest is merged root-first into
 * a balance tree when reported (`balance-tree.ts`).
 */

// Whole stacks: the balance tree merges paths from the root, and paths cut at different depths would not meet.
const BALANCE_DEPTH = 64;
// Distinct paths kept per object; past it, new paths are summed under one empty stack.
const PATHS_LIMIT = 256;
const OTHER: Stack = { frames: [] };
const balances = new WeakMap<ObjectRecord, Map<Stack, number>>();

/** Notes a +1 (retain) or −1 (release) of `record`'s count, its stack cut at `above`. Full mode only. */
export function noteBalance(record: ObjectRecord, delta: 1 | -1, above: Function): void {
	if (record.settings.mode !== 'full') return;
	let paths = balances.get(record);
	if (paths === undefined) {
		paths = new Map();
		balances.set(record, paths);
	}
	let stack = internFrames(host().captureFrames(BALANCE_DEPTH, above));
	if (!paths.has(stack) && paths.size >= PATHS_LIMIT) stack = OTHER;
	const net = (paths.get(stack) ?? 0) + delta;
	if (net === 0) paths.delete(stack);
	else paths.set(stack, net);
}

/** The net count per call path of a counted object, or undefined when none was noted. */
export function balanceOf(record: ObjectRecord): ReadonlyMap<Stack, number> | undefined {
	return balances.get(record);
}
