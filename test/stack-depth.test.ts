import { expect, test } from 'vitest';
import { configure, DoubleReleaseError, track, type UseAfterMoveError } from '../lib/index.js';
import { collectViolations } from './helpers.js';

function nest(depth: number, fn: () => void): void {
	if (depth === 0) fn();
	else nest(depth - 1, fn);
}

test('acquire stacks keep stackDepth frames and release stacks releaseStackDepth frames', () => {
	const seen = collectViolations({ stackDepth: 10, releaseStackDepth: 4 });
	const root = track({}, { name: 'Deep' });
	let ref = root;
	nest(15, () => {
		ref = root.acquire('deep');
	});
	nest(15, () => ref.release());
	nest(15, () => ref.release());
	const error = seen[0] as DoubleReleaseError;
	expect(error.acquire?.stack).toHaveLength(10);
	expect(error.firstRelease?.stack).toHaveLength(4);
	expect(error.culprit.stack).toHaveLength(10);
	expect(error.acquire?.stack.slice(1).every((frame) => frame.startsWith('nest '))).toBe(true);
	root.release();
	configure({ releaseStackDepth: 4 });
});

test('with sampling, every reference is listed and only a share of them record stacks, whole', () => {
	const seen = collectViolations({ sample: 0.5 });
	const root = track({}, { name: 'Sampled' });
	const refs = Array.from({ length: 400 }, () => root.acquire('worker'));
	for (const ref of refs) ref.release();
	for (const ref of refs) ref.release();
	expect(seen).toHaveLength(400);
	const withStacks = seen.filter((e) => (e as DoubleReleaseError).acquire?.site !== null);
	expect(withStacks.length).toBeGreaterThan(100);
	expect(withStacks.length).toBeLessThan(300);
	for (const error of seen as DoubleReleaseError[]) {
		expect(error.acquire?.owner).toBe('worker');
		expect(error.firstRelease?.site === null).toBe(error.acquire?.site === null);
		expect(error.culprit.site).not.toBeNull();
	}
	root.release();
	configure({ sample: 1 });
});

test('a moved reference keeps the sampling decision it was taken with', () => {
	const seen = collectViolations({ sample: 0.5 });
	const root = track({}, { name: 'SampledMove' });
	const moved = Array.from({ length: 200 }, () => root.acquire('taker')).map((ref) => [ref, ref.move('keeper')] as const);
	for (const [old] of moved) void old.value;
	const errors = seen as UseAfterMoveError[];
	expect(errors).toHaveLength(200);
	expect(errors.filter((e) => e.move?.site !== null).length).toBeGreaterThan(50);
	for (const error of errors) expect(error.move?.site === null).toBe(error.earlier.find((p) => p.role === 'acquire')?.event.site === null);
	for (const [, ref] of moved) ref.release();
	root.release();
	configure({ sample: 1 });
});

test('configure rejects a sample outside (0, 1]', () => {
	expect(() => configure({ sample: 0 })).toThrow(new TypeError('Expected `sample` to be a number above 0 and at most 1, got 0'));
	expect(() => configure({ sample: 1.5 })).toThrow(TypeError);
	expect(() => configure({ releaseStackDepth: 0 })).toThrow(new TypeError('Expected `releaseStackDepth` to be an integer from 1 to 64, got 0'));
});
