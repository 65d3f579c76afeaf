import { afterEach, expect, test, vi } from 'vitest';
import { EntryLog } from '../lib/entry-log.js';
import { checkLeaks, configure, LeakError, type Ref, track } from '../lib/index.js';
import { ObjectRecord } from '../lib/record.js';
import { collectViolations } from './helpers.js';

afterEach(() => {
	vi.restoreAllMocks();
});

test('checkLeaks looks at the references taken inside it, never at the live lists of other objects', async () => {
	collectViolations({ mode: 'list' });
	const elsewhere = Array.from({ length: 100 }, (_, i) => track({ i }, { name: 'Elsewhere' }));
	const held = elsewhere.flatMap((root) => [root.acquire('bystander'), root.acquire('bystander')]);
	const live = vi.spyOn(ObjectRecord.prototype, 'live');
	const inside = track({}, { name: 'Inside' });
	let kept: Ref<object> | undefined;
	const error = await checkLeaks(async () => {
		inside.acquire('released').release();
		await new Promise((resolve) => setImmediate(resolve));
		kept = inside.acquire('kept');
		elsewhere[0]!.acquire('moved in').move('still inside').release();
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.totals).toEqual({ objects: 1, refs: 1, collected: 0, sites: 1 });
	expect((error as LeakError).leaks.objects[0]!.refs.map((r) => r.owner)).toEqual(['kept']);
	expect(live).not.toHaveBeenCalled();
	kept!.release();
	inside.release();
	for (const ref of [...held, ...elsewhere]) ref.release();
});

test('an entry log lists the references still live, in the order they began, after many more came and went', () => {
	configure({ mode: 'list', onViolation: 'throw' });
	const root = track({}, { name: 'Logged' });
	const log = new EntryLog((entry) => entry.record.name === 'Logged');
	log.start();
	const kept: Ref<object>[] = [];
	for (let i = 0; i < 10_000; i++) {
		const ref = root.acquire(`user-${i}`);
		if (i % 2500 === 0) kept.push(ref);
		else ref.release();
	}
	const other = track({}, { name: 'NotLogged' });
	expect(log.listed().map((e) => e.owner)).toEqual(['user-0', 'user-2500', 'user-5000', 'user-7500']);
	log.stop();
	root.acquire('after stop').release();
	expect(log.listed()).toEqual([]);
	for (const ref of kept) ref.release();
	other.release();
	root.release();
});
