import { keep, type Scenario } from '../harness.js';
import { SUBJECTS } from '../variants.js';

const OBJECTS = 16;
const OUTSTANDING = 64;

/** The same pair while 64 references to 16 objects stay outstanding: each release gives back one taken 64 pairs earlier. */
export const pairOutstanding: Scenario = {
	name: 'acquire+release pair, 64 refs outstanding on 16 objects',
	batch: 1000,
	variants: Object.entries(SUBJECTS).map(([name, make]) => ({
		name,
		setup: () => {
			const subject = make(OBJECTS);
			const held = Array.from({ length: OUTSTANDING }, (_, i) => subject.acquire(i % OBJECTS));
			keep(held);
			let next = 0;
			return (n) => {
				for (let i = 0; i < n; i++) {
					subject.release(held[next]);
					held[next] = subject.acquire(next % OBJECTS);
					next = (next + 1) % OUTSTANDING;
				}
			};
		},
	})),
};
