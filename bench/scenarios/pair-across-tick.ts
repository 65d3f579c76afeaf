import type { Scenario } from '../harness.js';
import { SUBJECTS } from '../variants.js';

const OBJECTS = 16;

/**
 * Pairs whose references are held across a tick, as a service holds them across an await: 1,000 references
 * taken, a `setImmediate`, then all given back. The references a tick outlives are the ones leak detection
 * must think about; what it pays for them (deferral, registration) shows here and not in the same-tick rows.
 */
export const pairAcrossTick: Scenario = {
	name: 'acquire+release pair, held across a tick',
	batch: 1000,
	variants: Object.entries(SUBJECTS).map(([name, make]) => ({
		name,
		setup: () => {
			const subject = make(OBJECTS);
			const held: unknown[] = new Array(1000);
			return async (n) => {
				for (let i = 0; i < n; i++) held[i] = subject.acquire(i % OBJECTS);
				await new Promise((resolve) => setImmediate(resolve));
				for (let i = 0; i < n; i++) subject.release(held[i]);
			};
		},
	})),
};
