import { expect, test } from 'vitest';
import { configure, track } from '../lib/index.js';

test('past 10,000 distinct names, objects of newer names take unique ids from one shared counter', () => {
	configure({ mode: 'off', onViolation: 'throw' });
	for (let i = 0; i < 10_000; i++) track({}, { name: `Name${i}` }).release();
	const labels = ['Late', 'Later', 'Late', 'Name0'].map((name) => {
		const ref = track({}, { name });
		ref.release();
		return ref.label;
	});
	expect(labels).toEqual(['Late#1', 'Later#2', 'Late#3', 'Name0#2']);
});
