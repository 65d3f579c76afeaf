import { configure, renderSnapshot, type Ref, snapshot, track } from 'reftrace';
import { consume, keep, type Scenario } from '../harness.js';

const REFS = 10_000;
const SITES = 100;

/** The first report of a process maps every frame and reads every source line: timed once, cold. */
export let coldMilliseconds = Number.NaN;

interface PlainRecord {
	readonly site: string;
	readonly object: string;
	readonly owner: string;
	readonly age: number;
}

/**
 * Building the exit report for 10,000 live references taken at 100 sites. `counter` is the floor of any
 * grouped report: the same number of plain records grouped by site and printed one line per site.
 */
export const exitReport: Scenario = {
	name: 'exit report, 10,000 live refs from 100 sites',
	batch: 1,
	variants: [
		{
			name: 'counter',
			setup: () => {
				const records: PlainRecord[] = Array.from({ length: REFS }, (_, i) => ({
					site: `app.ts:${i % SITES}:1`,
					object: `Obj#${i % 100}`,
					owner: 'worker',
					age: i,
				}));
				return () => {
					const sites = new Map<string, PlainRecord[]>();
					for (const record of records) {
						const list = sites.get(record.site);
						if (list === undefined) sites.set(record.site, [record]);
						else list.push(record);
					}
					consume([...sites].map(([site, list]) => `${list[0]!.object} has ${list.length} refs at ${site}`).join('\n'));
				};
			},
		},
		{
			name: 'full',
			setup: () => {
				configure({ mode: 'full', exitReport: false });
				// Each site is its own script, so the depot sees 100 distinct call sites.
				const takers = Array.from(
					{ length: SITES },
					(_, i) => new Function('root', `return root.acquire();\n//# sourceURL=bench/site-${i}.js`) as (root: Ref<object>) => Ref<object>,
				);
				const roots = Array.from({ length: 100 }, (_, i) => track({ id: i }, { name: 'Held' }));
				const held: Ref<object>[] = [];
				for (let i = 0; i < REFS; i++) held.push(takers[i % SITES]!(roots[i % roots.length]!));
				keep(held);
				keep(roots);
				const start = performance.now();
				consume(renderSnapshot(snapshot()));
				coldMilliseconds = performance.now() - start;
				return () => consume(renderSnapshot(snapshot()));
			},
		},
	],
};
