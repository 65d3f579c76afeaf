import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { type Ref, snapshot, track } from '../lib/index.js';
import { childEnv, collectViolations, lineOf, siteOf } from './helpers.js';

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

test('at the default stack size, onZero chains as deep as plain refcounting survives run to the end, before and after optimisation', () => {
	// Plain code survives about 5,900 levels before the JIT optimises it (5,400 on Node 24) and far more after;
	// a try/catch in every release once cut reftrace's limit to 4,900.
	const fixture = fileURLToPath(new URL('./fixtures/on-zero-chain.mjs', import.meta.url));
	// Warm runs compile on the main thread: optimised code must be in place when the deep chain runs, and a
	// background compile can still be queued on a loaded machine (a warm run once stopped at 9,837 levels).
	const run = (kind: string, depth: number, warm = '') =>
		spawnSync(process.execPath, [...(warm === '' ? [] : ['--no-concurrent-recompilation']), fixture, kind, String(depth), warm], { env: childEnv({ REFTRACE_EXIT_REPORT: '0' }), encoding: 'utf8' }).stdout;
	for (const kind of ['plain', 'reftrace']) {
		expect(run(kind, 5000), kind).toBe('ok\n');
		expect(run(kind, 10000, 'warm'), kind).toBe('ok\n');
	}
});

/** An object whose onZero throws, and one whose onZero releases it through `releaseInner`. */
function nested(releaseInner: (inner: Ref<object>) => void): { inner: Ref<object>; outer: Ref<object> } {
	const inner = track({}, {
		name: 'Inner',
		onZero: () => {
			throw new RangeError('inner failed');
		},
	});
	const outer = track({}, { name: 'Outer', onZero: () => releaseInner(inner) });
	return { inner, outer };
}

test('what an inner onZero throws goes up through the onZero that released it, as without reftrace, and is reported once at the outer release', () => {
	const seen = collectViolations();
	const steps: string[] = [];
	const { inner, outer } = nested((ref) => {
		steps.push('outer began');
		ref.release();
		steps.push('outer went on');
	});
	outer.release(); // @outer-release
	expect(steps).toEqual(['outer began']);
	expect(seen.map((error) => error.kind)).toEqual(['on-zero-failed']);
	expect(seen[0]!.summary).toContain('onZero of Outer#');
	expect(lineOf(seen[0]!.culprit.site)).toBe(siteOf(import.meta.url, 'outer-release'));
	expect((seen[0]!.cause as Error).message).toBe('inner failed');
	expect(`${inner.state} ${inner.count} ${outer.state} ${outer.count}`).toBe('released 0 released 0');
});

test("an inner onZero failure that the outer onZero catches is the application's to handle: not reported, the outer goes on", () => {
	const seen = collectViolations();
	const steps: string[] = [];
	const { outer } = nested((ref) => {
		try {
			ref.release();
		} catch (error) {
			steps.push(`caught ${(error as Error).message}`);
		}
		steps.push('outer went on');
	});
	outer.release();
	expect(steps).toEqual(['caught inner failed', 'outer went on']);
	expect(seen).toEqual([]);
	// The next release outside any onZero is guarded again.
	const later = track({}, {
		name: 'Later',
		onZero: () => {
			throw new Error('later');
		},
	});
	later.release();
	expect(seen.map((error) => error.kind)).toEqual(['on-zero-failed']);
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
