import { expect, test } from 'vitest';
import { type Mode, OnZeroFailedError, type Ref, track } from '../lib/index.js';
import { observe } from '../lib/record.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

function failingRoot(): Ref<object> {
	return track({}, {
		name: 'Ring',
		onZero: () => {
			throw new Error('close failed');
		},
	});
}

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode, a throwing onZero lists the endings the quarantine kept, oldest first, with owners, moves and sites`, () => {
		const seen = collectViolations({ mode, quarantine: 4 });
		const root = failingRoot();
		const endings: [string, number, string][] = [];
		for (let i = 0; i < 6; i++) {
			const ref = root.acquire(`user-${i}`);
			if (i === 4) {
				const moved = ref.move('mover');
				endings.push(['move', ref.id, 'user-4'], ['release', moved.id, 'mover']);
				moved.release();
			} else {
				endings.push(['release', ref.id, `user-${i}`]);
				ref.release(); // @user-release
			}
		}
		root.release();
		const error = seen[0] as OnZeroFailedError;
		expect(error).toBeInstanceOf(OnZeroFailedError);
		// Seven endings, then the root's own release (the culprit, not repeated in the history): a quarantine
		// of 4 kept the last four endings, the culprit's among them.
		expect(error.earlier.map((p) => [p.event.op, p.event.ref, p.event.owner])).toEqual(endings.slice(-3));
		const sites = error.earlier.map((p) => lineOf(p.event.site));
		if (mode === 'full') expect(sites[2]).toBe(siteOf(import.meta.url, 'user-release'));
		else expect(sites).toEqual([null, null, null]);
	});
}

test('in full mode, an ending in the quarantine names its owner from the stack that took it when none was given', () => {
	const seen = collectViolations({ mode: 'full' });
	const root = failingRoot();
	(function takeAndGiveBack() {
		root.acquire().release();
	})();
	root.release();
	const error = seen[0] as OnZeroFailedError;
	expect(error.earlier.map((p) => p.event.owner)).toEqual(['takeAndGiveBack']);
});

test('the quarantine keeps no ended reference\'s entry: entries of given-back references are collectable', async () => {
	collectViolations({ mode: 'list' });
	const root = track({}, { name: 'Ring' });
	const collected = new Set<number>();
	const registry = new FinalizationRegistry<number>((id) => collected.add(id));
	const stop = observe({ end: (entry) => registry.register(entry, entry.id) });
	(() => {
		for (let i = 0; i < 20; i++) root.acquire('user').release();
	})();
	stop();
	await collectGarbage(() => collected.size === 20);
	expect(collected.size).toBe(20);
	root.release();
});
