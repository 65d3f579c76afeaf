import { expect, test } from 'vitest';
import { configure, type Ref, track } from '../lib/index.js';
import { observe } from '../lib/record.js';
import { depotSize, type Stack } from '../lib/stack.js';
import { collectGarbage } from './helpers.js';

/** `count` functions from one generated script, each taking a reference at its own call site. */
function sites(count: number): ((root: Ref<object>) => Ref<object>)[] {
	const functions = Array.from({ length: count }, () => '(root) => root.acquire()');
	return new Function(`return [\n${functions.join(',\n')}\n];`)() as ((root: Ref<object>) => Ref<object>)[];
}

test('at 100,000 distinct sites, a site taken again shares the stack it got the first time', () => {
	configure({ mode: 'full', onViolation: 'throw' });
	const root = track({}, { name: 'Sites' });
	const take = sites(100_000);
	const stacks: (Stack | null)[] = [];
	const stop = observe({ begin: (entry) => void stacks.push(entry.stack) });
	const held: Ref<object>[] = [];
	try {
		// Past the last site, the first two again, from the same caller.
		for (let k = 0; k < 100_002; k++) held.push(take[k % 100_000]!(root));
	} finally {
		stop();
	}
	expect(new Set(stacks).size).toBe(100_000);
	expect(stacks[100_000]).toBe(stacks[0]);
	expect(stacks[100_001]).toBe(stacks[1]);
	for (const ref of held) ref.release();
	root.release();
});

test('the depot lets go of the stacks of sites nothing refers to any more', async () => {
	configure({ mode: 'full', onViolation: 'throw' });
	const root = track({}, { name: 'Gone' });
	await collectGarbage(undefined, 3);
	const before = depotSize();
	(() => {
		const take = sites(5_000);
		for (let k = 0; k < 5_000; k++) take[k]!(root).release();
	})();
	expect(depotSize()).toBeGreaterThan(before + 5_000);
	// A quarantine keeps its last 16 endings' stacks, and with them their takers' paths.
	await collectGarbage(() => depotSize() <= before + 200, 50);
	expect(depotSize()).toBeLessThanOrEqual(before + 200);
	root.release();
});
