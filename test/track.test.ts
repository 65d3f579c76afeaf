import { describe, expect, test } from 'vitest';
import { track } from '../lib/index.js';

class Conn {}

describe('track', () => {
	test('returns a live reference with count 1 labelled by the constructor name', () => {
		const ref = track(new Conn());
		expect(ref.state).toBe('live');
		expect(ref.count).toBe(1);
		expect(ref.label).toMatch(/^Conn#\d+$/);
		ref.release();
	});

	test('gives objects of one name consecutive ids', () => {
		const a = track({}, { name: 'Widget' });
		const b = track({}, { name: 'Widget' });
		expect(a.label).toBe('Widget#1');
		expect(b.label).toBe('Widget#2');
		a.release();
		b.release();
	});

	test.each([
		[42, 'number'],
		['text', 'string'],
		[null, 'null'],
		[undefined, 'undefined'],
	])('rejects %s with a TypeError naming `value`', (value, kind) => {
		expect(() => track(value as unknown as object)).toThrow(new TypeError(`Expected \`value\` to be an object, got ${kind}`));
	});

	test('rejects an object already tracked under the same name', () => {
		const conn = new Conn();
		const first = track(conn);
		expect(() => track(conn)).toThrow(/^Expected `value` to be an object not already tracked as Conn; it is tracked as Conn#\d+ with count 1$/);
		first.release();
	});

	test('tracks one object under two names as two counts', () => {
		const conn = new Conn();
		const users = track(conn, { name: 'ConnUsers' });
		const holds = track(conn, { name: 'ConnHolds' });
		users.acquire().release();
		expect(users.count).toBe(1);
		expect(holds.count).toBe(1);
		users.release();
		holds.release();
	});

	test('allows tracking an object again once its count reached zero', () => {
		const conn = new Conn();
		track(conn, { name: 'Pooled' }).release();
		const again = track(conn, { name: 'Pooled' });
		expect(again.count).toBe(1);
		again.release();
	});

	test('under several names, each name is free again once its own count reached zero, and only its own', () => {
		const conn = new Conn();
		const names = ['NameA', 'NameB', 'NameC'];
		const [a, b, c] = names.map((name) => track(conn, { name }));
		a!.release();
		expect(() => track(conn, { name: 'NameB' })).toThrow(/already tracked as NameB; it is tracked as NameB#\d+ with count 1$/);
		const again = track(conn, { name: 'NameA' });
		b!.release();
		c!.release();
		expect(() => track(conn, { name: 'NameA' })).toThrow(/already tracked as NameA/);
		again.release();
		track(conn, { name: 'NameC' }).release();
	});

	test('rejects bad options with messages naming them', () => {
		expect(() => track({}, { name: '' })).toThrow(new TypeError('Expected `name` to be a non-empty string, got string'));
		expect(() => track({}, { owner: '' })).toThrow(new TypeError('Expected `owner` to be a non-empty string, got an empty string'));
		expect(() => track({}, { onZero: 'close' as unknown as () => void })).toThrow(new TypeError('Expected `onZero` to be a function, got string'));
	});
});
