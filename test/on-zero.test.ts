import { expect, test } from 'vitest';
import { OnZeroFailedError, track } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

test('a throwing onZero is reported with its error as the cause and the object history', () => {
	const seen = collectViolations();
	const failure = new Error('close failed');
	const root = track({}, {
		name: 'Sock',
		onZero: () => {
			throw failure;
		},
	});
	const reader = root.acquire('reader');
	reader.release(); // @reader-release
	root.release(); // @last-release
	const error = seen[0] as OnZeroFailedError;
	expect(error).toBeInstanceOf(OnZeroFailedError);
	expect(error.cause).toBe(failure);
	expect(error.summary).toBe(`onZero of ${error.object} threw Error: close failed`);
	expect(lineOf(error.culprit.site)).toBe(siteOf(import.meta.url, 'last-release'));
	expect(error.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'reader-release')]);
	expect(error.message).toContain('Error: close failed\n');
	expect([root.count, root.state]).toEqual([0, 'released']);
});

test('onZero runs once even when it throws', () => {
	collectViolations();
	let calls = 0;
	const ref = track({}, {
		onZero: () => {
			calls++;
			throw new Error('x');
		},
	});
	ref.release();
	ref.release();
	expect(calls).toBe(1);
});

test('an object tracked under several names runs each name\'s onZero once, at that name\'s own zero', () => {
	collectViolations();
	const value = {};
	const calls: string[] = [];
	const users = track(value, { name: 'Users', onZero: (v) => calls.push(`users ${v === value}`) });
	const plain = track(value, { name: 'Plain' });
	const holds = track(value, { name: 'Holds', onZero: (v) => calls.push(`holds ${v === value}`) });
	holds.release();
	plain.release();
	const again = track(value, { name: 'Holds', onZero: () => calls.push('holds again') });
	users.release();
	again.release();
	expect(calls).toEqual(['holds true', 'users true', 'holds again']);
});
