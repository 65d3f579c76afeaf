import { afterEach, expect, test } from 'vitest';
import { configure, LeakError, type Mode, type Ref, type RefTraceError, snapshot, track } from '../lib/index.js';
import { host } from '../lib/platform/host.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, lineOf, siteOf } from './helpers.js';

class Conn {}

class Pool {
	readonly root = track(new Conn(), { name: 'LeakConn', owner: 'pool', onZero: () => undefined });
	acquire(owner: string): Ref<Conn> {
		return this.root.acquire(owner); // @pool-acquire
	}
}

/** The common shape: the reference is taken in the constructor of the object that stores it. */
class Session {
	readonly conn: Ref<Conn>;
	constructor(pool: Pool) {
		this.conn = pool.acquire('session'); // @session-acquire
	}
	query(): Conn {
		return this.conn.value;
	}
}

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode, every session dropped without release is reported when collected`, async () => {
		allowLeaks();
		const leaks: LeakError[] = [];
		configure({ mode, onViolation: (error: RefTraceError) => void (error instanceof LeakError && leaks.push(error)) });
		const pool = new Pool();
		(() => {
			for (let i = 0; i < 100; i++) new Session(pool).query();
		})();
		await collectGarbage(() => leaks.length === 100, 50);
		expect(leaks).toHaveLength(100);
		expect(pool.root.count).toBe(101);
		const first = leaks[0]!;
		expect(first.found).toBe('collected');
		expect(first.summary).toMatch(/^ref #\d+ of LeakConn#\d+ \(owner session\) was garbage-collected while live, .+ after it was taken; its count is never given back, so LeakConn#\d+ stays at 101 and onZero will not run$/);
		expect(first.leaks.totals).toEqual({ objects: 1, refs: 1, collected: 1, sites: 1 });
		const site = first.leaks.sites[0]!;
		if (mode === 'full') {
			expect(lineOf(site.site)).toBe(siteOf(import.meta.url, 'pool-acquire'));
			const stack = first.leaks.stacks[site.stacks[0]!.stack]!;
			expect(stack.slice(0, 2).map((frame) => frame.replace(/:\d+\)$/, ')'))).toEqual([
				`Pool.acquire (${siteOf(import.meta.url, 'pool-acquire')})`,
				`new Session (${siteOf(import.meta.url, 'session-acquire')})`,
			]);
		} else {
			expect(site.site).toBeNull();
		}
		expect(first.message.split('\n')[1]).toMatch(/^ {2}acquired here \(ref #\d+ held by session, pid \d+, thread 0\)$/);
	});
}

test('a released or moved reference is never reported when collected', async () => {
	const leaks: unknown[] = [];
	configure({ mode: 'full', onViolation: (error: RefTraceError) => void leaks.push(error) });
	const pool = new Pool();
	const moved: Ref<Conn>[] = [];
	(() => {
		for (let i = 0; i < 50; i++) new Session(pool).conn.release();
		for (let i = 0; i < 50; i++) moved.push(new Session(pool).conn.move('keeper'));
	})();
	await collectGarbage(undefined, 10);
	expect(leaks).toEqual([]);
	for (const ref of moved) ref.release();
	pool.root.release();
});

test('with gcLeaks off nothing is reported at collection', async () => {
	allowLeaks();
	const leaks: unknown[] = [];
	configure({ mode: 'full', gcLeaks: false, onViolation: (error: RefTraceError) => void leaks.push(error) });
	const pool = new Pool();
	(() => {
		for (let i = 0; i < 20; i++) new Session(pool);
	})();
	await collectGarbage(undefined, 10);
	expect(leaks).toEqual([]);
	expect(pool.root.count).toBe(21);
	configure({ gcLeaks: true });
});

test('past ten leaks from one site, more are counted and not printed', async () => {
	allowLeaks();
	const writes: string[] = [];
	const write = host().writeError;
	host().writeError = (text) => void writes.push(text);
	try {
		configure({ mode: 'full', onViolation: 'report' });
		const pool = new Pool();
		const before = snapshot().violations.leak ?? 0;
		(() => {
			for (let i = 0; i < 30; i++) new Session(pool);
		})();
		await collectGarbage(() => (snapshot().violations.leak ?? 0) - before === 30, 50);
		expect((snapshot().violations.leak ?? 0) - before).toBe(30);
	} finally {
		host().writeError = write;
	}
	expect(writes.filter((w) => w.startsWith('reftrace: leak: '))).toHaveLength(10);
	expect(writes.filter((w) => w.includes('more from there are counted, not printed'))).toEqual([
		expect.stringMatching(/^reftrace: 10 leaks taken at test\/gc-leak\.test\.ts:\d+:\d+ printed; more from there are counted, not printed \(the exit report lists every one\)\n$/),
	]);
});
