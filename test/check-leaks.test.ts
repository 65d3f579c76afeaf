import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { checkLeaks, LeakError, track } from '../lib/index.js';
import { observe } from '../lib/record.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

test('checkLeaks resolves with the result of a function that releases what it takes', async () => {
	collectViolations();
	const root = track({}, { name: 'Db' });
	await expect(checkLeaks(() => {
		root.acquire('sync').release();
		return 42;
	})).resolves.toBe(42);
	await expect(checkLeaks(async () => {
		const ref = root.acquire('async');
		await sleep(1);
		ref.release();
		return 'done';
	})).resolves.toBe('done');
	root.release();
});

test('checkLeaks rejects with a LeakError grouping the live references by acquire site', async () => {
	collectViolations();
	const root = track({}, { name: 'Db' });
	const kept: unknown[] = [];
	const error: unknown = await checkLeaks(async () => {
		for (let i = 0; i < 3; i++) kept.push(root.acquire('worker')); // @loop-acquire
		await sleep(1);
		kept.push(root.acquire('straggler')); // @straggler
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	const leak = error as LeakError;
	expect(leak.kind).toBe('leak');
	expect(leak.found).toBe('scope');
	expect(leak.summary).toBe('checkLeaks() left 4 references live, from 2 sites');
	expect(leak.leaks.sites.map((s) => [lineOf(s.site), s.refs, s.owners])).toEqual([
		[site('loop-acquire'), 3, [{ owner: 'worker', refs: 3 }]],
		[site('straggler'), 1, [{ owner: 'straggler', refs: 1 }]],
	]);
	expect(leak.message).toMatch(new RegExp(`^reftrace: leak: checkLeaks\\(\\) left 4 references live, from 2 sites\\n  Db#\\d+ has 3/5 refs at ${site('loop-acquire')}:\\d+ - `));
	for (const ref of kept as { release(): void }[]) ref.release();
	root.release();
});

test('references taken by concurrent work outside the scope are not blamed on it', async () => {
	collectViolations();
	const root = track({}, { name: 'Db' });
	let outside: { release(): void } | undefined;
	const background = (async () => {
		await sleep(1);
		outside = root.acquire('background');
	})();
	await expect(checkLeaks(async () => {
		await sleep(5);
		root.acquire('inside').release();
	})).resolves.toBeUndefined();
	await background;
	outside?.release();
	root.release();
});

test('a reference moved out of one taken before the scope is not blamed on it', async () => {
	collectViolations();
	const root = track({}, { name: 'Db' });
	let held = root.acquire('before');
	await checkLeaks(() => {
		held = held.move('handed over inside');
	});
	held.release();
	root.release();
});

test('what fn throws passes through unchanged', async () => {
	const failure = new Error('boom');
	await expect(checkLeaks(() => {
		throw failure;
	})).rejects.toBe(failure);
	await expect(checkLeaks(42 as unknown as () => void)).rejects.toThrow(new TypeError('Expected `fn` to be a function, got number'));
});

test('a reference checkLeaks reported is not reported again when the garbage collector finds it', async () => {
	const seen = collectViolations();
	allowLeaks();
	const leaked: number[] = [];
	const stop = observe({ end: (entry) => void (entry.ending === 'leaked' && leaked.push(entry.id)) });
	let id = 0;
	const error: unknown = await checkLeaks(() => {
		id = track({}, { name: 'ReportedOnce' }).id;
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	// The detector ends the entry as leaked before it decides whether to report it.
	await collectGarbage(() => leaked.includes(id));
	stop();
	expect(leaked).toEqual([id]);
	expect(seen).toEqual([]);
});
