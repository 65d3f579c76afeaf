import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, LeakError, track, withOwner, type Mode, type Ref } from '../lib/index.js';

afterEach(() => {
	configure({ mode: 'full' });
});

class Conn {}

function takeOne(root: Ref<Conn>): Ref<Conn> {
	return root.acquire();
}

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode, references taken inside withOwner, before and after awaits, are owned by it`, async () => {
		configure({ mode });
		const root = track(new Conn(), { owner: 'pool' });
		const handle = async (route: string, delay: number): Promise<Ref<Conn>[]> =>
			withOwner(route, async () => {
				const first = takeOne(root);
				await sleep(delay);
				const second = takeOne(root);
				await Promise.resolve();
				return [first, second, takeOne(root)];
			});
		// Interleaved: each keeps its own owner across the other's awaits.
		const [users, orders] = await Promise.all([handle('GET /users/:id', 5), handle('POST /orders', 1)]);
		expect(users!.map((ref) => ref.owner)).toEqual(['GET /users/:id', 'GET /users/:id', 'GET /users/:id']);
		expect(orders!.map((ref) => ref.owner)).toEqual(['POST /orders', 'POST /orders', 'POST /orders']);
		for (const ref of [...users!, ...orders!]) ref.release();
		root.release();
	});
}

test('an explicit owner wins, the innermost withOwner wins, and outside it the default owner comes back', () => {
	const root = track(new Conn(), { owner: 'pool' });
	const refs = withOwner('job:nightly', () => [root.acquire('cache'), root.acquire(), withOwner('job:step', () => root.acquire())]);
	refs.push(takeOne(root));
	expect(refs.map((ref) => ref.owner)).toEqual(['cache', 'job:nightly', 'job:step', 'takeOne']);
	for (const ref of refs) ref.release();
	root.release();
});

test('a leak report names the context owner', async () => {
	const root = track(new Conn(), { owner: 'pool' });
	let kept: Ref<Conn> | undefined;
	const error = await checkLeaks(() =>
		withOwner('GET /users/:id', async () => {
			await sleep(1);
			kept = takeOne(root);
		}),
	).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.sites[0]!.owners).toEqual([{ owner: 'GET /users/:id', refs: 1 }]);
	expect((error as LeakError).message).toContain('owners: GET /users/:id');
	kept!.release();
	root.release();
});

test('in off mode owners are not kept: withOwner only runs the function', () => {
	configure({ mode: 'off' });
	const root = track(new Conn());
	const ref = withOwner('job', () => root.acquire());
	expect(ref.owner).toBe('<no owner>');
	ref.release();
	root.release();
});

test('withOwner returns what the function returns and checks its arguments', async () => {
	expect(withOwner('x', () => 42)).toBe(42);
	const promise = Promise.resolve(7);
	expect(withOwner('x', () => promise)).toBe(promise);
	expect(() => withOwner('', () => 1)).toThrow('Expected `owner` to be a non-empty string, got an empty string');
	expect(() => withOwner(3 as never, () => 1)).toThrow('Expected `owner` to be a non-empty string, got number');
	expect(() => withOwner('x', 'f' as never)).toThrow('Expected `fn` to be a function, got string');
	expect(() => withOwner('x', () => { throw new Error('boom'); })).toThrow('boom');
});
