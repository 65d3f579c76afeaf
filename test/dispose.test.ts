import { expect, test } from 'vitest';
import { track } from '../lib/index.js';
import { collectViolations } from './helpers.js';

test('disposing a live reference releases it', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Lock' });
	{
		using held = root.acquire('critical section');
		expect(held.count).toBe(2);
	}
	expect(root.count).toBe(1);
	expect(seen).toEqual([]);
	root.release();
});

test('disposing a moved reference does nothing: moving is the way out of a scope', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Lock' });
	let kept;
	{
		using held = root.acquire('scope');
		kept = held.move('field');
	}
	expect(kept.state).toBe('live');
	expect(root.count).toBe(2);
	expect(seen).toEqual([]);
	kept.release();
	root.release();
});

test('disposing a released reference is a double release', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Lock' });
	{
		using held = root.acquire('scope');
		held.release();
	}
	expect(seen.map((e) => [e.kind, e.culprit.op])).toEqual([['double-release', 'dispose']]);
	expect(root.count).toBe(1);
	root.release();
});
