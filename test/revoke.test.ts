import { expect, test } from 'vitest';
import { AcquireAfterRevokeError, configure, renderSnapshot, snapshot, track, UseAfterRevokeError } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

test('after a revoke every live ref reads revoked; releases are fine and onZero runs at the last', () => {
	const seen = collectViolations();
	let zero = 0;
	const root = track({}, { name: 'Gpu', onZero: () => zero++ });
	const a = root.acquire('a');
	const b = root.acquire('b');
	root.revoke('device lost');
	expect([root.state, a.state, b.state]).toEqual(['revoked', 'revoked', 'revoked']);
	expect(root.count).toBe(3);
	expect(root.unique).toBe(false);
	a.release();
	expect(a.state).toBe('released');
	b.release();
	expect(zero).toBe(0);
	root.release();
	expect(zero).toBe(1);
	expect(seen).toEqual([]);
});

test('.value through a revoked ref names the culprit, the revoke site and reason, and the acquire of the ref used', () => {
	const seen = collectViolations();
	const root = track({ fd: 3 }, { name: 'File', owner: 'driver' });
	const reader = root.acquire('reader'); // @acquire-reader
	root.revoke('device lost'); // @revoke
	expect(reader.value).toEqual({ fd: 3 }); // @use
	const error = seen[0] as UseAfterRevokeError;
	expect(error).toBeInstanceOf(UseAfterRevokeError);
	expect(error.reason).toBe('device lost');
	expect(error.summary).toBe(`.value of ref #${reader.id} of ${root.label} after ${root.label} was revoked for 'device lost'`);
	expect([error.culprit.owner, lineOf(error.culprit.site)]).toEqual(['reader', site('use')]);
	expect([error.revoke?.owner, lineOf(error.revoke?.site)]).toEqual(['driver', site('revoke')]);
	expect(lineOf(error.acquire?.site)).toBe(site('acquire-reader'));
	expect(error.earlier.map((p) => p.title)).toEqual(["revoked for 'device lost'", 'acquired']);
	reader.release();
	root.release();
});

test('acquire and move through a revoked ref are acquire-after-revoke; nothing changes', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'File' });
	root.revoke(); // @revoke-2
	const more = root.acquire('more'); // @acquire-revoked
	const moved = root.move('queue'); // @move-revoked
	expect(seen.map((e) => [e.kind, lineOf(e.culprit.site), e.culprit.op])).toEqual([
		['acquire-after-revoke', site('acquire-revoked'), 'acquire'],
		['acquire-after-revoke', site('move-revoked'), 'move'],
	]);
	expect((seen[0] as AcquireAfterRevokeError).revoke?.site).toMatch(new RegExp(`^${site('revoke-2')}:`));
	expect(seen[0]?.summary).toBe(`acquire through ref #${root.id} of ${root.label} after ${root.label} was revoked`);
	expect([more.state, moved.state, root.state, root.count]).toEqual(['released', 'released', 'revoked', 1]);
	root.release();
	expect(root.state).toBe('released');
});

test('a second revoke, or exclusive through a revoked ref, is a use-after-revoke', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'File' });
	root.revoke('unplugged');
	root.revoke('again');
	let ran = false;
	root.exclusive(() => (ran = true));
	expect(ran).toBe(true);
	expect(seen.map((e) => [e.kind, e.culprit.op, (e as UseAfterRevokeError).reason])).toEqual([
		['use-after-revoke', 'revoke', 'unplugged'],
		['use-after-revoke', 'exclusive', 'unplugged'],
	]);
	root.release();
});

test('under throw, every revoked access throws and changes nothing', () => {
	configure({ mode: 'full', onViolation: 'throw' });
	try {
		const root = track({}, { name: 'File' });
		root.revoke('gone');
		expect(() => root.value).toThrow(UseAfterRevokeError);
		expect(() => root.acquire()).toThrow(AcquireAfterRevokeError);
		expect(() => root.move()).toThrow(AcquireAfterRevokeError);
		expect([root.state, root.count]).toEqual(['revoked', 1]);
		root.release();
	} finally {
		configure({ onViolation: 'report' });
	}
});

test('the snapshot and the exit report list a revoked object whose refs are still held', () => {
	allowLeaks();
	collectViolations();
	const root = track({}, { name: 'Pool', owner: 'server' });
	const clients = [root.acquire('client-a'), root.acquire('client-b'), root.acquire('client-c')];
	root.revoke('pool ended'); // @revoke-pool
	clients[1]!.release();
	root.release();
	const object = snapshot().objects.find((o) => o.object === root.label)!;
	expect(object.revoked).toMatchObject({ reason: 'pool ended', ref: root.id, owner: 'server', liveAtRevoke: 4, stillHeld: [clients[0]!.id, clients[2]!.id] });
	expect(lineOf(object.revoked?.site)).toBe(site('revoke-pool'));
	const line = renderSnapshot(snapshot()).split('\n').find((l) => l.includes(`${root.label} revoked at`));
	expect(line).toBe(
		`  ${root.label} revoked at ${object.revoked?.site} for 'pool ended'; 2 references still held: ref #${clients[0]!.id} held by client-a, ref #${clients[2]!.id} held by client-c`,
	);
});

test('off mode keeps the revoked state and its checks, without history', () => {
	const seen = collectViolations({ mode: 'off' });
	const root = track({}, { name: 'File' });
	const reader = root.acquire('reader');
	root.revoke('gone');
	expect(reader.state).toBe('revoked');
	void reader.value; // @off-use
	expect(seen.map((e) => [e.kind, lineOf(e.culprit.site), e.earlier.length])).toEqual([['use-after-revoke', site('off-use'), 0]]);
	expect(seen[0]?.note).toMatch(/off mode/);
	reader.release();
	root.release();
});

test('revoke checks its reason', () => {
	const root = track({}, { name: 'File' });
	expect(() => root.revoke('')).toThrow('Expected `reason` to be a non-empty string, got an empty string');
	expect(() => root.revoke(3 as never)).toThrow('Expected `reason` to be a non-empty string, got number');
	expect(root.state).toBe('live');
	root.release();
});
