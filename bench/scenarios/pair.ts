import type { Scenario } from '../harness.js';
import { SUBJECTS } from '../variants.js';

/** Take a reference and give it straight back: the cost of one counted use. */
export const pair: Scenario = {
	name: 'acquire+release pair',
	batch: 1000,
	variants: Object.entries(SUBJECTS).map(([name, make]) => ({
		name,
		setup: () => {
			const subject = make(1);
			return (n) => {
				for (let i = 0; i < n; i++) subject.release(subject.acquire(0));
			};
		},
	})),
};
