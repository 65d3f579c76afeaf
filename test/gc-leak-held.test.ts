import { afterEach, expect, test, vi } from 'vitest';
import { configure, LeakError, type Mode, type Ref, type RefTraceError, track } from '../lib/index.js';
import type { Entry } from '../lib/record.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage } from './helpers.js';

class Conn {}

const ticks = async (n: number): Promise<void> => {
	for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Holders that each keep one reference, dropped together (never released) once `hold` has passed. */
async function dropAfter(mode: Mode, name: string, hold: () => Promise<void>): Promise<LeakError[]> {
	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode, onViolation: (error: RefTraceError) => void (error instanceof LeakError && leaks.push(error)) });
	const root = track(new Conn(), { name, owner: 'pool' });
	let holders: { conn: Ref<Conn> }[] = Array.from({ length: 20 }, () => ({ conn: root.acquire('holder') }));
	await hold();
	expect(holders.every((h) => h.conn.state === 'live')).toBe(true);
	holders = [];
	await collectGarbage(() => leaks.length === 20, 100);
	expect(root.count).toBe(21);
	return leaks;
}

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
	configure({ mode: 'full', onViolation: 'report' });
});

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode, references dropped after being held across ticks are each reported when collected`, async () => {
		const leaks = await dropAfter(mode, 'HeldAcrossTicks', () => ticks(3));
		expect(leaks).toHaveLength(20);
		expect(leaks.every((e) => e.found === 'collected' && e.leaks.totals.refs === 1)).toBe(true);
		expect(leaks[0]!.summary).toMatch(/^ref #\d+ of HeldAcrossTicks#\d+ \(owner holder\) was garbage-collected while live/);
	});

	test(`in ${mode} mode, references dropped after being held past the watch delay are each reported when collected`, async () => {
		const leaks = await dropAfter(mode, 'HeldPastDelay', () => sleep(50));
		expect(leaks).toHaveLength(20);
		expect(leaks[0]!.summary).toMatch(/^ref #\d+ of HeldPastDelay#\d+ \(owner holder\) was garbage-collected while live/);
	});
}

test('references given back before the watch timer comes round are never registered with the garbage collector', async () => {
	configure({ mode: 'list', onViolation: 'throw' });
	// The watch timer fires when the test says: whether it falls inside the few ticks below is then not left to chance.
	vi.useFakeTimers({ toFake: ['setTimeout'] });
	const register = vi.spyOn(FinalizationRegistry.prototype, 'register');
	const root = track(new Conn(), { name: 'GivenBackSoon' });
	const refs = Array.from({ length: 50 }, () => root.acquire('request'));
	await ticks(3);
	for (const ref of refs) ref.release();
	const held = root.acquire('long');
	await ticks(1);
	vi.advanceTimersByTime(50);
	vi.useRealTimers();
	const names = register.mock.calls.map(([, entry]) => (entry as Entry | undefined)?.record?.name);
	// The root and the reference still live are watched; the 50 given back are not.
	expect(names.filter((name) => name === 'GivenBackSoon')).toHaveLength(2);
	held.release();
	root.release();
});
