import { expect, test } from 'vitest';
import { beginLeakWindow, LeakError, track } from '../lib/index.js';
import { collectViolations, siteOf } from './helpers.js';

test('a window reports the references taken inside it and still live, naming their site', () => {
	const root = track({}, { name: 'Pool' });
	const window = beginLeakWindow('job 12');
	const kept = root.acquire('job'); // @window-acquire
	const leak = window.end();
	expect(leak).toBeInstanceOf(LeakError);
	expect(leak?.message).toMatch(/^reftrace: leak: job 12 left 1 reference live, from 1 site$/m);
	expect(leak?.message).toContain(`Pool#`);
	expect(leak?.message).toContain(`${siteOf(import.meta.url, 'window-acquire')}:`);
	kept.release();
	root.release();
});

test('a window whose references were all released or moved away ends with null', () => {
	const root = track({}, { name: 'Pool' });
	const window = beginLeakWindow();
	root.acquire('reader').release();
	const moved = root.acquire('first').move('second');
	moved.release();
	expect(window.end()).toBeNull();
	root.release();
});

test('a move of a reference taken before the window is not new, even when it happens inside it', () => {
	const root = track({}, { name: 'Pool' });
	const before = root.acquire('holder');
	const window = beginLeakWindow();
	const after = before.move('new holder');
	expect(window.end()).toBeNull();
	after.release();
	root.release();
});

test('windows overlap: each counts what was taken since it began', () => {
	const root = track({}, { name: 'Pool' });
	const outer = beginLeakWindow('outer');
	const first = root.acquire('first');
	const inner = beginLeakWindow('inner');
	const second = root.acquire('second');
	expect(inner.end()?.summary).toBe('inner left 1 reference live, from 1 site');
	expect(outer.end()?.summary).toBe('outer left 2 references live, from 2 sites');
	first.release();
	second.release();
	root.release();
});

test('ending a window twice throws, and a bad name is refused', () => {
	const window = beginLeakWindow('once');
	expect(window.end()).toBeNull();
	expect(() => window.end()).toThrow('reftrace: once was already ended');
	expect(() => beginLeakWindow('')).toThrow('Expected `name` to be a non-empty string, got an empty string');
	expect(() => beginLeakWindow(3 as unknown as string)).toThrow('Expected `name` to be a non-empty string, got number');
});

test('a cancelled window reports nothing and cannot be ended after', () => {
	collectViolations({ mode: 'list' });
	const window = beginLeakWindow('cancelled');
	const kept = track({}, { name: 'Kept' });
	window.cancel();
	expect(() => window.end()).toThrow('reftrace: cancelled was already ended');
	kept.release();
});
