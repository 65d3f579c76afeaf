import { expect, test } from 'vitest';
import { configure, type LeakError, renderSnapshot, snapshot, track, type ReleaseAfterMoveError } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

function mmStruct() {
	const freed: string[] = [];
	const mm = { name: 'mm' };
	const bare = track(mm, { name: 'mm_bare_refs', owner: 'task', onZero: () => freed.push('struct') });
	const count = track(mm, { name: 'mm_count', holds: bare, onZero: () => freed.push('pgd') }); // @track-count
	const users = track(mm, { name: 'mm_users', owner: 'task', holds: count, onZero: () => freed.push('mappings') }); // @track-users
	return { freed, bare, count, users };
}

test('a nested count takes the held ref over as a move to an owner naming the count', () => {
	collectViolations();
	const { bare, count, users } = mmStruct();
	expect(bare.state).toBe('moved');
	expect(count.state).toBe('moved');
	expect(bare.count).toBe(1);
	expect(count.count).toBe(1);
	const data = snapshot();
	const parent = data.objects.find((o) => o.object === bare.label)!;
	expect(parent.refs.map((r) => [r.owner, r.heldBy, lineOf(r.site)])).toEqual([['mm_count#1', 'mm_count#1', site('track-count')]]);
	const child = data.objects.find((o) => o.object === users.label)!;
	expect(child.holds).toEqual({ ref: parent.refs[0] === undefined ? -1 : data.objects.find((o) => o.object === count.label)!.refs[0]!.ref, object: count.label });
	expect(data.objects.find((o) => o.object === count.label)!.holds).toEqual({ ref: parent.refs[0]!.ref, object: bare.label });
	users.release();
});

test('each level frees its own part at zero, then gives its held ref back, in the same call', () => {
	collectViolations();
	const { freed, users } = mmStruct();
	const reader = users.acquire('reader');
	users.release();
	expect(freed).toEqual([]);
	reader.release();
	expect(freed).toEqual(['mappings', 'pgd', 'struct']);
	expect(snapshot().objects.filter((o) => o.object.startsWith('mm_'))).toEqual([]);
});

test('a nested count whose onZero throws still releases the ref it holds', () => {
	const seen = collectViolations();
	const freed: string[] = [];
	const parent = track({}, { name: 'Socket', onZero: () => freed.push('socket') });
	const checkout = track({}, { name: 'Checkout', holds: parent, onZero: () => { throw new Error('close failed'); } });
	checkout.release();
	expect(freed).toEqual(['socket']);
	expect(seen.map((e) => e.kind)).toEqual(['on-zero-failed']);
});

test('releasing the held ref later is a release-after-move naming the nested count', () => {
	const seen = collectViolations();
	const { bare, count, users } = mmStruct();
	bare.release(); // @release-held
	const error = seen[0] as ReleaseAfterMoveError;
	expect(error.kind).toBe('release-after-move');
	expect(lineOf(error.culprit.site)).toBe(site('release-held'));
	expect(error.newOwner).toBe(count.label);
	expect(lineOf(error.move?.site)).toBe(site('track-count'));
	expect(bare.count).toBe(1);
	users.release();
});

test('a dead holds ref is the usual misuse, reported at track, and nothing is held', () => {
	const seen = collectViolations();
	const parent = track({}, { name: 'Pool' });
	const extra = parent.acquire('x');
	extra.release(); // @release-extra
	const child = track({}, { name: 'Lease', holds: extra }); // @track-dead
	expect(seen.map((e) => [e.kind, lineOf(e.culprit.site)])).toEqual([['move-after-release', site('track-dead')]]);
	expect(lineOf(seen[0]?.earlier[0]?.event.site)).toBe(site('release-extra'));
	expect(parent.count).toBe(1);
	child.release();
	expect(parent.count).toBe(1);
	expect(seen).toHaveLength(1);
	parent.release();
});

test('under throw, a dead holds ref throws from track and tracks nothing', () => {
	configure({ mode: 'full', onViolation: 'throw' });
	const parent = track({}, { name: 'Pool' });
	const moved = parent.move('elsewhere');
	const value = {};
	expect(() => track(value, { name: 'Lease', holds: parent })).toThrow(/double-move/);
	expect(() => track(value, { name: 'Lease' }).release()).not.toThrow();
	moved.release();
	configure({ onViolation: 'report' });
});

test('holds must be a Ref', () => {
	expect(() => track({}, { holds: {} as never })).toThrow('Expected `holds` to be a Ref, got object');
});

test('the exit report folds a parent live only through a leaking nested count under it, with the chain', () => {
	allowLeaks();
	collectViolations({ mode: 'list' });
	const { users } = mmStruct();
	users.acquire('leaky-reader');
	const text = renderSnapshot(snapshot());
	const mine = text.split('\n').filter((line) => line.includes('mm_'));
	expect(mine[0]).toMatch(/^ {2}mm_users#\d+ has 2\/2 refs at an unrecorded site/);
	expect(mine).toContain(`    ${users.label} holds ref #${users.id - 1} of mm_count#${users.label.split('#')[1]} (count 1), which holds ref #${users.id - 3} of mm_bare_refs#${users.label.split('#')[1]} (count 1)`);
	expect(mine.filter((line) => /^ {2}mm_(count|bare_refs)/.test(line))).toEqual([]);
	expect(text.split('\n')[0]).toMatch(/ more held by nested counts, shown under them\)$/);
	configure({ mode: 'full' });
});

test('a parent with live refs of its own is still listed for them, not for the held one', () => {
	allowLeaks();
	collectViolations();
	const socket = track({}, { name: 'Sock' });
	const direct = socket.acquire('direct'); // @direct
	const checkout = track({}, { name: 'Checkout', holds: socket.acquire('pool') });
	const text = renderSnapshot(snapshot());
	expect(text).toContain(`  ${socket.label} has 1/3 refs at ${site('direct')}`);
	expect(text).toContain(`    ${checkout.label} holds ref #${direct.id + 2} of ${socket.label} (count 3)`);
	checkout.release();
	expect(socket.count).toBe(2);
	direct.release();
	socket.release();
});

test('a nested count dropped without release is reported once, by its own ref; the ref it holds is folded under it', async () => {
	allowLeaks();
	const seen = collectViolations({ mode: 'list' });
	const parent = track({}, { name: 'Device' });
	const label = (() => {
		const child = track({}, { name: 'View', holds: parent.acquire('view') });
		return child.label;
	})();
	await new Promise((resolve) => setTimeout(resolve, 0));
	const parentEntries = () => snapshot().objects.find((o) => o.object === parent.label)?.refs ?? [];
	await collectGarbage(() => parentEntries().some((r) => r.collected));
	expect(seen.map((e) => [e.kind, (e as unknown as LeakError).leaks.objects[0]?.object])).toEqual([['leak', label]]);
	expect(parentEntries().map((r) => [r.heldBy, r.collected])).toEqual([
		[label, true],
		[null, false],
	]);
	const text = renderSnapshot(snapshot());
	expect(text).toContain(`    ${label} holds ref #`);
	expect(text).toContain(`${parent.label} has 1/2`);
	expect(text).not.toContain(`${parent.label} has 2/2`);
	parent.release();
});
