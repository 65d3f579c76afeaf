import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { type Ref, snapshot, track } from '../lib/index.js';
import { childEnv, collectViolations } from './helpers.js';

/** Objects whose onZero each releases the next one's last reference, head first. */
function chain(depth: number, ran: { count: number }): Ref<object>[] {
	const refs: Ref<object>[] = [];
	for (let i = depth - 1; i >= 0; i--) {
		const next = refs[0];
		refs.unshift(
			track({}, {
				name: 'Link',
				onZero: () => {
					ran.count++;
					next?.release();
				},
			}),
		);
	}
	return refs;
}

test('a chain of 2,000 onZero callbacks, each releasing the next object, runs to the end', () => {
	const seen = collectViolations();
	const ran = { count: 0 };
	const refs = chain(2000, ran);
	refs[0]!.release();
	expect(seen.map((error) => error.summary)).toEqual([]);
	expect(ran.count).toBe(2000);
	expect(refs.filter((ref) => ref.count !== 0)).toEqual([]);
});

test('a 10,000-deep onZero chain runs to the end on a stack where the same chain of plain refcounting runs', () => {
	const fixture = fileURLToPath(new URL('./fixtures/on-zero-chain.mjs', import.meta.url));
	const run = (kind: string) =>
		spawnSync(process.execPath, ['--stack-size=3000', fixture, kind, '10000'], { env: childEnv({ REFTRACE_EXIT_REPORT: '0' }), encoding: 'utf8' });
	expect(run('plain').stdout).toBe('ok\n');
	expect(run('reftrace').stdout).toBe('ok\n');
});

/** Calls `action` with the stack nearly full, then again one frame less full each time it overflows, until it returns. */
function atStackLimit(action: () => void): void {
	try {
		atStackLimit(action);
	} catch {
		action();
	}
}

test('a release cut short by a stack overflow leaves its state and the count in step', () => {
	collectViolations({ mode: 'list' });
	const refs = Array.from({ length: 50 }, () => track({}, { name: 'Edge' }));
	for (const ref of refs) {
		atStackLimit(() => ref.release());
	}
	expect(refs.map((ref) => `${ref.state} ${ref.count}`).filter((pair) => pair !== 'released 0')).toEqual([]);
});

test('an acquire or a move cut short by a stack overflow leaves the count, the live list and the states in step', () => {
	for (const mode of ['list', 'full'] as const) {
		collectViolations({ mode });
		const roots = Array.from({ length: 20 }, () => track({}, { name: `Edge${mode}` }));
		const taken: Ref<object>[] = [];
		for (const root of roots) {
			atStackLimit(() => void taken.push(root.acquire('taker')));
			let moved: Ref<object> | undefined;
			atStackLimit(() => void (moved = taken.at(-1)!.move('mover')));
			taken.push(moved!);
		}
		const onList = new Map(snapshot().objects.map((o) => [o.object, o.refs.length]));
		expect(roots.map((root) => `${root.count} ${onList.get(root.label)}`).filter((pair) => pair !== '2 2'), mode).toEqual([]);
		expect(taken.map((ref) => ref.state).filter((state, i) => state !== (i % 2 === 0 ? 'moved' : 'live')), mode).toEqual([]);
		for (const ref of [...taken.filter((ref) => ref.state === 'live'), ...roots]) ref.release();
	}
});
