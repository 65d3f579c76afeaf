import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { AcquireDuringExclusiveError, configure, ExclusiveNotUniqueError, track } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

test('unique is true only for a live ref that is the only one', () => {
	collectViolations();
	const root = track({}, { name: 'Buf' });
	expect(root.unique).toBe(true);
	const extra = root.acquire('reader');
	expect(root.unique).toBe(false);
	extra.release();
	expect(root.unique).toBe(true);
	expect(extra.unique).toBe(false);
	root.release();
	expect(root.unique).toBe(false);
});

test('exclusive runs fn with the value and returns its result; a unique ref reports nothing', () => {
	const seen = collectViolations();
	const root = track({ n: 2 }, { name: 'Buf' });
	expect(root.exclusive((value) => value.n * 21)).toBe(42);
	const moved = root.move('elsewhere');
	expect(moved.exclusive(() => moved.move('inside').release())).toBeUndefined();
	expect(seen).toEqual([]);
});

test('entering with other live refs is exclusive-not-unique naming them; fn still runs under report', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Buf' });
	const reader = root.acquire('reader'); // @reader
	let ran = false;
	root.exclusive(() => (ran = true)); // @enter
	expect(ran).toBe(true);
	const error = seen[0] as ExclusiveNotUniqueError;
	expect(error).toBeInstanceOf(ExclusiveNotUniqueError);
	expect(error.summary).toBe(`exclusive section through ref #${root.id} of ${root.label} entered with count 2: 1 other reference is live`);
	expect(lineOf(error.culprit.site)).toBe(site('enter'));
	expect(error.others.map((e) => [e.owner, lineOf(e.site)])).toEqual([['reader', site('reader')]]);
	expect(error.count).toBe(2);
	// Not a section: acquiring now is no intrusion.
	root.acquire('later').release();
	expect(seen).toHaveLength(1);
	reader.release();
	root.release();
});

test('an acquire inside a sync section is reported at the acquire, names the section, and leaves the count', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Buf' });
	root.exclusive(() => { // @section
		const intruder = root.acquire('intruder'); // @intrude
		expect(intruder.state).toBe('released');
		expect(root.count).toBe(1);
		intruder.release();
	});
	const error = seen[0] as AcquireDuringExclusiveError;
	expect(seen).toHaveLength(1);
	expect(error.kind).toBe('acquire-during-exclusive');
	expect(error.fromOtherTask).toBe(false);
	expect(lineOf(error.culprit.site)).toBe(site('intrude'));
	expect([error.section?.owner, lineOf(error.section?.site)]).toEqual([root.owner, site('section')]);
	const after = root.acquire('after');
	expect(after.count).toBe(2);
	after.release();
	root.release();
});

test('another async task acquiring or tryAcquiring while the section awaits is caught at its call', async () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Mm', owner: 'fork' });
	const handle = root.weak();
	const section = root.exclusive(async () => { // @async-section
		await sleep(20);
		return 'copied';
	});
	await sleep(1);
	const racer = (async () => {
		expect(handle.tryAcquire('get_task_mm')).toBeNull(); // @race-try
		root.acquire('mmget'); // @race-acquire
	})();
	await racer;
	expect(await section).toBe('copied');
	expect(seen.map((e) => [e.kind, lineOf(e.culprit.site), (e as AcquireDuringExclusiveError).fromOtherTask])).toEqual([
		['acquire-during-exclusive', site('race-try'), true],
		['acquire-during-exclusive', site('race-acquire'), true],
	]);
	for (const error of seen as AcquireDuringExclusiveError[]) {
		expect([error.section?.owner, lineOf(error.section?.site)]).toEqual(['fork', site('async-section')]);
		expect(error.summary).toMatch(/during the exclusive section of ref #\d+ \(owner fork\), from another task while the section ran$/);
	}
	expect(root.count).toBe(1);
	// Settled: the section is over.
	root.acquire('after').release();
	expect(seen).toHaveLength(2);
	root.release();
});

test('a rejected section ends the section and rejects with the same reason', async () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Buf' });
	const failure = new Error('copy failed');
	await expect(root.exclusive(async () => { throw failure; })).rejects.toBe(failure);
	expect(() => root.exclusive(() => { throw failure; })).toThrow(failure);
	root.acquire('after').release();
	expect(seen).toEqual([]);
	root.release();
});

test('under throw, intrusions and a non-unique entry throw at the call and change nothing', () => {
	configure({ mode: 'full', onViolation: 'throw' });
	try {
		const root = track({}, { name: 'Buf' });
		root.exclusive(() => {
			expect(() => root.acquire('intruder')).toThrow(AcquireDuringExclusiveError);
			expect(() => root.weak().tryAcquire('intruder')).toThrow(AcquireDuringExclusiveError);
			expect(root.count).toBe(1);
		});
		const extra = root.acquire('reader');
		let ran = false;
		expect(() => root.exclusive(() => (ran = true))).toThrow(ExclusiveNotUniqueError);
		expect(ran).toBe(false);
		extra.release();
		root.release();
	} finally {
		configure({ onViolation: 'report' });
	}
});

test('off mode keeps the checks: no history, but the culprit and the section owner', () => {
	const seen = collectViolations({ mode: 'off' });
	const root = track({}, { name: 'Buf', owner: 'fork' });
	root.exclusive(() => root.acquire('intruder')); // @off-intrude
	const extra = root.acquire('reader');
	root.exclusive(() => undefined);
	expect(seen.map((e) => e.kind)).toEqual(['acquire-during-exclusive', 'exclusive-not-unique']);
	expect(lineOf(seen[0]?.culprit.site)).toBe(site('off-intrude'));
	expect((seen[0] as AcquireDuringExclusiveError).section?.owner).toBe('fork');
	expect((seen[1] as ExclusiveNotUniqueError).others).toEqual([]);
	expect(seen[1]?.note).toMatch(/off mode/);
	extra.release();
	root.release();
});

test('exclusive needs a function', () => {
	const root = track({}, { name: 'Buf' });
	expect(() => root.exclusive(42 as never)).toThrow('Expected `fn` to be a function, got number');
	root.release();
});
