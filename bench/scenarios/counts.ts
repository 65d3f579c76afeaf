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

function setup(mode: Mode): { plain: Ref<object>; nested: Ref<object> } {
	// Every setting a pair row sets, so that no earlier scenario's (a 1% sample, say) carries over.
	configure({ mode, sample: 1, releaseStackDepth: 4, exitReport: false, onViolation: 'throw' });
	const value = { id: 0 };
	const parent = track(value, { name: 'BenchParent' });
	const nested = track(value, { name: 'BenchNested', holds: parent });
	const plain = track({ id: 1 }, { name: 'BenchObject' });
	keep([plain, nested]);
	return { plain, nested };
}

const MODES: readonly Mode[] = ['off', 'list', 'full'];

/** Each mode twice, in the same loop: through the scenario's path (`mode`), and a plain acquire+release (`mode, plain count`). */
function variants(path: (roots: { plain: Ref<object>; nested: Ref<object> }) => () => void, weak: boolean) {
	return [
		{ name: 'counter', setup: () => counter(weak) },
		...MODES.flatMap((mode) => [
			{
				name: mode,
				setup: (): Operation => {
					const step = path(setup(mode));
					return (n) => {
						for (let i = 0; i < n; i++) step();
					};
				},
			},
			{
				name: `${mode}, plain count`,
				setup: (): Operation => {
					const { plain } = setup(mode);
					const step = () => plain.acquire().release();
					return (n) => {
						for (let i = 0; i < n; i++) step();
					};
				},
			},
		]),
	];
}

/** An acquire+release on a count nested in another, beside a plain count's in the same loop. */
export const nestedPair: Scenario = {
	name: 'nested-count acquire+release',
	batch: 1000,
	variants: variants(({ nested }) => () => nested.acquire().release(), false),
};

/** A tryAcquire+release through a weak handle, beside a plain count's acquire+release in the same loop. */
export const weakPair: Scenario = {
	name: 'weak tryAcquire+release',
	batch: 1000,
	variants: variants(({ nested }) => {
		const handle = nested.weak();
		return () => handle.tryAcquire()!.release();
	}, true),
};
