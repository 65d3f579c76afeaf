import { inspect } from 'node:util';
import { expect, test } from 'vitest';
import { track } from '../lib/index.js';
import { collectViolations } from './helpers.js';

test('acquire and release move the count and onZero runs once, at the true last release', () => {
	const seen = collectViolations();
	const zeroes: object[] = [];
	const conn = { fd: 3 };
	const root = track(conn, { name: 'Conn', onZero: (value) => zeroes.push(value) });
	const a = root.acquire('a');
	const b = a.acquire('b');
	expect(root.count).toBe(3);
	a.release();
	root.release();
	expect(b.count).toBe(1);
	expect(zeroes).toEqual([]);
	b.release();
	expect(zeroes).toEqual([conn]);
	expect(b.count).toBe(0);
	b.release();
	expect(zeroes).toHaveLength(1);
	expect(b.count).toBe(0);
	expect(seen.map((e) => e.kind)).toEqual(['double-release']);
});

test('move hands the reference over without touching the count', () => {
	collectViolations();
	const root = track({}, { name: 'Job' });
	const queued = root.move('queue');
	expect(root.state).toBe('moved');
	expect(queued.state).toBe('live');
	expect(queued.owner).toBe('queue');
	expect(queued.count).toBe(1);
	expect(queued.value).toBe(queued.value);
	queued.release();
	expect(queued.state).toBe('released');
	expect(root.count).toBe(0);
});

test('state, owner and count stay readable on dead references without a report', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Buf', owner: 'reader' });
	const moved = root.move('writer');
	moved.release();
	expect([root.state, root.owner, root.count]).toEqual(['moved', 'reader', 0]);
	expect([moved.state, moved.owner, moved.count]).toEqual(['released', 'writer', 0]);
	expect(seen).toEqual([]);
});

test('a ref shows its object, id, state and owner when inspected, without using the value', () => {
	const seen = collectViolations();
	const ref = track({ secret: 1 }, { name: 'Shown', owner: 'main' });
	ref.release();
	expect(inspect(ref)).toBe(`Ref<${ref.label}> #${ref.id} released, owner main`);
	expect(seen).toEqual([]);
});

test('owner defaults to the calling function in full mode', () => {
	collectViolations({ mode: 'full' });
	function openSession() {
		return track({}, { name: 'Session' });
	}
	const ref = openSession();
	expect(ref.owner).toBe('openSession');
	const anonymous = [0].map(() => ref.acquire())[0];
	expect(anonymous?.owner).toMatch(/^test\/counting\.test\.ts:\d+$/);
	anonymous?.release();
	ref.release();
});

test('owner is a fixed placeholder in list and off modes', () => {
	for (const mode of ['list', 'off'] as const) {
		collectViolations({ mode });
		const unnamed = track({});
		const named = track({}, { owner: 'named' });
		expect([unnamed.owner, named.owner]).toEqual(['<no owner>', 'named']);
		unnamed.release();
		named.release();
	}
});
