import { configure, type Mode, type Ref, track } from 'reftrace';
import { consume, keep, type Operation, type Scenario } from '../harness.js';

/*
 * The count semantics beside the pair rows: an acquire+release on a nested count (a count that holds a
 * reference of another: its acquires touch only its own count), and a tryAcquire+release through a weak
 * handle (the kernel's get_task_mm). Each against a plain counter doing the same in the same round.
 */

/** count++ / count-- on the inner of two plain counters, or a "try": count++ only when above zero. */
function counter(weak: boolean): Operation {
	const inner = { count: 1 };
	const outer = { count: 1 };
	keep(outer);
	return (n) => {
		for (let i = 0; i < n; i++) {
			if (weak && inner.count === 0) continue;
			inner.count++;
			consume(inner);
			inner.count--;
		}
	};
}

function roots(mode: Mode): Ref<object> {
	// Every setting a pair row sets, so that no earlier scenario's (a 1% sample, say) carries over.
	configure({ mode, sample: 1, releaseStackDepth: 4, exitReport: false, onViolation: 'throw' });
	const value = { id: 0 };
	const parent = track(value, { name: 'BenchParent' });
	const nested = track(value, { name: 'BenchNested', holds: parent });
	keep(nested);
	return nested;
}

const MODES: readonly Mode[] = ['off', 'list', 'full'];

/** An acquire+release on a count nested in another. */
export const nestedPair: Scenario = {
	name: 'nested-count acquire+release',
	batch: 1000,
	variants: [
		{ name: 'counter', setup: () => counter(false) },
		...MODES.map((mode) => ({
			name: mode,
			setup: (): Operation => {
				const nested = roots(mode);
				return (n) => {
					for (let i = 0; i < n; i++) nested.acquire().release();
				};
			},
		})),
	],
};

/** A tryAcquire+release through a weak handle. */
export const weakPair: Scenario = {
	name: 'weak tryAcquire+release',
	batch: 1000,
	variants: [
		{ name: 'counter', setup: () => counter(true) },
		...MODES.map((mode) => ({
			name: mode,
			setup: (): Operation => {
				const handle = roots(mode).weak();
				return (n) => {
					for (let i = 0; i < n; i++) handle.tryAcquire()!.release();
				};
			},
		})),
	],
};
