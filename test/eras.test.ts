import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { beginLeakWindow, configure, OnZeroFailedError, type Ref, snapshot, track } from '../lib/index.js';
import { clock, skipAhead } from '../lib/clock.js';
import { belowAdapter } from '../lib/ref.js';
import { childEnv, collectViolations, packageRoot, expectedProbe, type ProbeResult } from './helpers.js';

/*
 * What the record stores is counted from the start of an era (lib/clock.ts), so that a process past 2^31
 * references or ticks still stores small integers. Here eras are made a few references long, so that every
 * path crosses many of them: what reports read back must be the process-wide ids and times.
 */

test('ids stay unique and in the order references were taken, and times in step with the clock, across eras', () => {
	collectViolations({ mode: 'list' });
	skipAhead(8);
	// Taken in one task: they share the time a task's first reference read (see clock.ts), read again after
	// each era begins.
	const before = clock();
	const root = track({}, { name: 'Eras' });
	const refs: Ref<object>[] = [root];
	for (let i = 0; i < 100; i++) refs.push(i % 3 === 2 ? refs.pop()!.move(`mover ${i}`) : root.acquire(`user ${i}`));
	const after = clock();
	const ids = refs.map((ref) => ref.id);
	for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
	for (const ref of refs) {
		const entry = belowAdapter.entry(ref)!;
		expect(entry.id).toBe(ref.id);
		expect(entry.time).toBeGreaterThanOrEqual(before);
		expect(entry.time).toBeLessThanOrEqual(after);
	}
	const listed = snapshot().objects.find((object) => object.object === root.label)!;
	expect(listed.refs.map((ref) => ref.ref).sort((a, b) => a - b)).toEqual(ids);
	for (const ref of refs.reverse()) ref.release();
});

test('the quarantine reads back ids, owners, moves and times of endings made eras apart', () => {
	const seen = collectViolations({ mode: 'list', quarantine: 4 });
	// Eras of 5 references, and a second (100,000 ticks) skipped before every ending: each ending comes in an
	// era of its own, so the ring is counted again at each, and an error in its shift of ids or times shows.
	skipAhead(5);
	const root = track({}, { name: 'Ring', onZero: () => { throw new Error('close failed'); } });
	// Begun now and ended many eras later: its id counts from an older era than the ring's.
	const old = root.acquire('old');
	const endings: [string, number, string, number, number][] = [];
	const end = (op: string, ref: Ref<object>, owner: string, ending: () => void): void => {
		skipAhead(5, 0, 100_000);
		const id = ref.id;
		const from = clock();
		ending();
		endings.push([op, id, owner, from, clock()]);
	};
	for (let i = 0; i < 9; i++) {
		const ref = root.acquire(`user ${i}`);
		if (i % 2 === 0) {
			let moved: Ref<object> | null = null;
			end('move', ref, `user ${i}`, () => (moved = ref.move(`mover ${i}`)));
			end('release', moved!, `mover ${i}`, () => moved!.release());
		} else end('release', ref, `user ${i}`, () => ref.release());
	}
	end('release', old, 'old', () => old.release());
	root.release();
	const error = seen[0] as OnZeroFailedError;
	expect(error).toBeInstanceOf(OnZeroFailedError);
	// The last four endings, the root's own release being the culprit: three of them listed, each at its time.
	const listed = error.earlier.map((p) => p.event);
	expect(listed.map((e) => [e.op, e.ref, e.owner])).toEqual(endings.slice(-3).map(([op, id, owner]) => [op, id, owner]));
	const epoch = (ticks: number): number => performance.timeOrigin + ticks / 100;
	for (const [i, event] of listed.entries()) {
		const [, , , from, to] = endings[endings.length - 3 + i]!;
		expect(event.time).toBeGreaterThanOrEqual(epoch(from));
		expect(event.time).toBeLessThanOrEqual(epoch(to));
	}
});

test('a leak window follows lineage across eras: a reference moved out of one taken before it is not new', () => {
	configure({ mode: 'list', onViolation: 'report' });
	skipAhead(3);
	const root = track({}, { name: 'Window' });
	const before = root.acquire('before');
	const window = beginLeakWindow('eras');
	const carried = before.move('carried');
	const taken = root.acquire('taken');
	const passed = taken.move('passed').move('passed on');
	const leak = window.end();
	expect(leak?.leaks.objects.flatMap((object) => object.refs.map((ref) => [ref.ref, ref.owner]))).toEqual([[passed.id, 'passed on']]);
	for (const ref of [carried, passed, root]) ref.release();
});

test('past 2^31 references and ticks, and at an era\'s end, entries and the quarantine store small integers, and entries keep their shape', () => {
	// A child with V8's natives syntax, to ask V8 itself how each value is stored (the same probe runs in Chromium: eras-browser.test.ts).
	const script = "import * as reftrace from 'reftrace'; import { probe } from './test/fixtures/eras-probe.mjs'; console.log(JSON.stringify(probe(reftrace)));";
	const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { cwd: packageRoot, env: childEnv(), encoding: 'utf8' });
	expect(run.stderr).toBe('reftrace: no live references\n');
	const result = JSON.parse(run.stdout) as ProbeResult;
	expect(result).toEqual({ ...expectedProbe(result), smallUpTo: 2 ** 31 - 1, age: result.age });
	// Its age as reports read it: process-wide times, in step with the clock.
	expect(result.age).toBeGreaterThanOrEqual(0);
	expect(result.age).toBeLessThan(100 * 1000);
});
