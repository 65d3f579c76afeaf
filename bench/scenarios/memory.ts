import { setTimeout as sleep } from 'node:timers/promises';
import type { Row } from '../harness.js';
import { SUBJECTS } from '../variants.js';

const REFS = 100_000;
const OBJECTS = 100;
export const MEMORY_SCENARIO = 'memory per live reference (100,000 refs, heap after forced GC)';

declare const gc: () => void;

/**
 * Collects until the heap stops shrinking. Finalization callbacks run as tasks after a collection, and
 * only then can the next collection free what their registrations held: one collection is not enough.
 */
export async function settle(): Promise<number> {
	let previous = Number.POSITIVE_INFINITY;
	for (let i = 0; i < 10; i++) {
		gc();
		await sleep(5);
		const used = process.memoryUsage().heapUsed;
		if (used > previous * 0.995) return used;
		previous = used;
	}
	return previous;
}

export function median(values: number[]): number {
	return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/**
 * Bytes of heap each live reference costs, per variant: the heap with 100,000 refs held minus the heap
 * without. The array holding them (about 8 bytes a slot) is counted for every variant; `counter`, which has
 * no per-reference state, shows just that.
 */
export async function measureMemory(repeats: number): Promise<Row[]> {
	if (typeof gc !== 'function') throw new Error('the memory scenario needs node --expose-gc');
	const rows: Row[] = [];
	for (const [name, make] of Object.entries(SUBJECTS)) {
		const subject = make(OBJECTS);
		const samples: number[] = [];
		for (let r = 0; r < repeats; r++) {
			const before = await settle();
			let held: unknown[] = [];
			for (let i = 0; i < REFS; i++) held.push(subject.acquire(i % OBJECTS));
			const after = await settle();
			samples.push((after - before) / REFS);
			for (const ref of held) subject.release(ref);
			held = [];
		}
		rows.push({ scenario: MEMORY_SCENARIO, variant: name, nsPerOp: null, ratio: null, bytesPerRef: Math.round(median(samples)), samples });
	}
	return rows;
}
