import { configure } from 'reftrace';
import type { Scenario } from '../harness.js';
import { SUBJECTS } from '../variants.js';

// The trace is formatted and written as in a real run, into /dev/null so that the disk is not what is measured.
const TRACE_PATH = '/dev/null';

const pairs = (make: (typeof SUBJECTS)[string]) => () => {
	const subject = make(1);
	return (n: number) => {
		for (let i = 0; i < n; i++) subject.release(subject.acquire(0));
	};
};

/** An acquire+release pair in `full` mode with the timeline export on (REFTRACE_TRACE), against the same without it. */
export const tracing: Scenario = {
	name: 'acquire+release pair, traced',
	batch: 1000,
	variants: [
		{ name: 'counter', setup: pairs(SUBJECTS['counter']!) },
		{ name: 'full', setup: pairs(SUBJECTS['full']!) },
		{
			name: 'full + trace',
			setup: pairs(SUBJECTS['full']!),
			enter: () => void configure({ trace: TRACE_PATH, traceMaxEvents: 1_000_000_000 }),
			leave: () => void configure({ trace: null }),
		},
	],
};
