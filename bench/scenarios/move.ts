import type { Scenario } from '../harness.js';
import { SUBJECTS } from '../variants.js';

/** Take a reference, hand it to a new owner, give it back (isograph has no move and is left out). */
export const move: Scenario = {
	name: 'acquire+move+release',
	batch: 1000,
	variants: Object.entries(SUBJECTS)
		.filter(([name]) => name !== 'isograph')
		.map(([name, make]) => ({
			name,
			setup: () => {
				const subject = make(1);
				return (n) => {
					for (let i = 0; i < n; i++) subject.release(subject.move(subject.acquire(0)));
				};
			},
		})),
};
