import { configure, type Mode, type Ref, track } from 'reftrace';
import type { Row } from '../harness.js';
import { median, settle } from './memory.js';

const OBJECTS = 20_000;
const USES = 32;
export const OBJECT_MEMORY_SCENARIO = `memory per tracked object (${OBJECTS.toLocaleString('en')} objects, heap after forced GC)`;

/**
 * Bytes of heap per tracked object, fresh (tracked, no other reference yet) and after use (32 references
 * taken and given back, so that its quarantine of ended references is full), for each mode. `counter` is a
 * plain object with a count: the object itself and the array slot holding it, which every variant has too.
 */
export async function measureObjectMemory(repeats: number): Promise<Row[]> {
	const rows: Row[] = [];
	for (const mode of ['counter', 'off', 'list', 'full'] as const) {
		if (mode !== 'counter') configure({ mode: mode as Mode, exitReport: false, onViolation: 'throw' });
		const fresh: number[] = [];
		const used: number[] = [];
		for (let r = 0; r < repeats; r++) {
			const before = await settle();
			let roots: (Ref<object> | { id: number; count: number })[] = Array.from({ length: OBJECTS }, (_, i) => (mode === 'counter' ? { id: i, count: 1 } : track({ id: i }, { name: 'MemoryObject' })));
			fresh.push(((await settle()) - before) / OBJECTS);
			for (const root of roots) {
				for (let u = 0; u < USES; u++) {
					if ('release' in root) root.acquire('user').release();
					else root.count += 1 - 1;
				}
			}
			used.push(((await settle()) - before) / OBJECTS);
			for (const root of roots) if ('release' in root) root.release();
			roots = [];
		}
		rows.push({ scenario: OBJECT_MEMORY_SCENARIO, variant: `${mode}, fresh`, nsPerOp: null, ratio: null, bytesPerRef: Math.round(median(fresh)), samples: fresh });
		rows.push({ scenario: OBJECT_MEMORY_SCENARIO, variant: `${mode}, after use`, nsPerOp: null, ratio: null, bytesPerRef: Math.round(median(used)), samples: used });
	}
	return rows;
}
