import { configure, instrument, type Mode } from 'reftrace';
import type { Scenario, Variant } from '../harness.js';
import { consume, keep } from '../harness.js';

/** A class counted by its own methods, as an existing code base has it. A new class per variant: each is instrumented once. */
function countedClass() {
	return class Counted {
		count = 1;
		retain(): void {
			this.count++;
		}
		release(): void {
			this.count--;
		}
	};
}

function instrumented(mode: Mode): Variant {
	return {
		name: `instrumented, ${mode}`,
		setup: () => {
			configure({ mode, exitReport: false, onViolation: 'throw' });
			const Counted = instrument(countedClass(), { shape: 'counted', retain: ['retain'], release: ['release'] });
			const object = new Counted();
			keep(object);
			return (n) => {
				for (let i = 0; i < n; i++) {
					object.retain();
					object.release();
				}
				consume(object.count);
			};
		},
	};
}

/** What `instrument` adds to an existing retain/release pair: the plain method calls are the baseline (`counter`). */
export const instrumentedPair: Scenario = {
	name: 'instrumented retain+release pair',
	batch: 100,
	variants: [
		{
			name: 'counter',
			setup: () => {
				const object = new (countedClass())();
				return (n) => {
					for (let i = 0; i < n; i++) {
						object.retain();
						object.release();
					}
					consume(object.count);
				};
			},
		},
		instrumented('off'),
		instrumented('list'),
		instrumented('full'),
	],
};
