import { inspect } from 'node:util';
import { expect, test } from 'vitest';
import { snapshot, track, type UseAfterReleaseError, WeakHandle } from '../lib/index.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

test('a weak handle is not a reference: no count, not on the live list', () => {
	collectViolations();
	const root = track({}, { name: 'Task' });
	const handle = root.weak();
	expect(handle).toBeInstanceOf(WeakHandle);
	expect(handle.count).toBe(1);
	expect(handle.label).toBe(root.label);
	expect(snapshot().objects.find((o) => o.object === root.label)?.refs).toHaveLength(1);
	expect(inspect(handle)).toBe(`WeakHandle<${root.label}> count 1`);
	root.release();
	expect(handle.count).toBe(0);
});

test('tryAcquire takes a reference while the count is above zero, recorded as acquired through the weak handle', () => {
	const seen = collectViolations();
	const root = track({ n: 1 }, { name: 'Task' });
	const handle = root.weak();
	const got = handle.tryAcquire('lookup'); // @try
	expect(got?.count).toBe(2);
	expect(got?.owner).toBe('lookup');
	expect(got?.value).toEqual({ n: 1 });
	const ref = snapshot().objects.find((o) => o.object === root.label)!.refs.find((r) => r.ref === got?.id);
	expect([ref?.origin, lineOf(ref?.site)]).toEqual(['try-acquire', site('try')]);
	got!.release();
	got!.release(); // @double
	expect(seen.map((e) => e.kind)).toEqual(['double-release']);
	expect(seen[0]?.earlier.map((p) => [p.title, lineOf(p.event.site)])).toEqual([
		['first released', expect.any(String)],
		['acquired through weak handle', site('try')],
	]);
	expect(lineOf(seen[0]?.culprit.site)).toBe(site('double'));
	root.release();
});

test('tryAcquire returns null, without any report, once the count reached zero', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Task' });
	const handle = root.weak();
	root.release();
	expect(handle.tryAcquire('late')).toBeNull();
	expect(handle.count).toBe(0);
	expect(seen).toEqual([]);
});

test('tryAcquire returns null after a revoke, in every mode', () => {
	for (const mode of ['off', 'list', 'full'] as const) {
		const seen = collectViolations({ mode });
		const root = track({}, { name: 'Task' });
		const handle = root.weak();
		root.revoke('gone');
		expect(handle.tryAcquire()).toBeNull();
		expect(handle.count).toBe(1);
		expect(inspect(handle)).toBe(`WeakHandle<${root.label}> count 1, revoked`);
		root.release();
		expect(seen).toEqual([]);
	}
});

test('a weak handle does not keep its object alive', async () => {
	collectViolations({ gcLeaks: false });
	let handle: WeakHandle<object> | undefined;
	let collected = false;
	const registry = new FinalizationRegistry(() => (collected = true));
	(() => {
		const value = {};
		registry.register(value, 0);
		const root = track(value, { name: 'Cached' });
		handle = root.weak();
		root.release();
	})();
	await collectGarbage(() => collected);
	expect(collected).toBe(true);
	expect(handle?.tryAcquire()).toBeNull();
});

test('weak() through a released ref is a use-after-release naming the call', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Task' });
	const extra = root.acquire('x');
	extra.release(); // @released
	const handle = extra.weak(); // @weak-dead
	const error = seen[0] as UseAfterReleaseError;
	expect(error.kind).toBe('use-after-release');
	expect(error.summary).toBe(`weak() through ref #${extra.id} of ${root.label} after the ref was released`);
	expect(lineOf(error.culprit.site)).toBe(site('weak-dead'));
	expect(lineOf(error.release?.site)).toBe(site('released'));
	expect(handle.count).toBe(1);
	root.release();
});

test('tryAcquire checks its owner like acquire does', () => {
	const root = track({}, { name: 'Task' });
	expect(() => root.weak().tryAcquire('')).toThrow('Expected `owner` to be a non-empty string, got an empty string');
	root.release();
});
