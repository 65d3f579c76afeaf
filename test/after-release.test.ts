import { expect, test } from 'vitest';
import { AcquireAfterReleaseError, MoveAfterReleaseError, UseAfterReleaseError, track } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

test('use after release names the release site', () => {
	const seen = collectViolations();
	const ref = track({ n: 1 }, { name: 'Buf' });
	ref.release(); // @release
	expect(ref.value).toEqual({ n: 1 }); // @use
	const error = seen[0];
	expect(error).toBeInstanceOf(UseAfterReleaseError);
	expect(lineOf(error?.culprit.site)).toBe(site('use'));
	expect(lineOf((error as UseAfterReleaseError).release?.site)).toBe(site('release'));
});

test('acquire through a released reference does not increment and names the release', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Buf' });
	const extra = root.acquire('reader');
	extra.release(); // @release-2
	const revived = extra.acquire('zombie'); // @acquire-dead
	expect(root.count).toBe(1);
	expect(revived.state).toBe('released');
	const error = seen[0] as AcquireAfterReleaseError;
	expect(error).toBeInstanceOf(AcquireAfterReleaseError);
	expect(lineOf(error.culprit.site)).toBe(site('acquire-dead'));
	expect(lineOf(error.end?.site)).toBe(site('release-2'));
	expect(error.end?.op).toBe('release');
	root.release();
});

test('acquire through a moved reference names the move', () => {
	const seen = collectViolations();
	const root = track({}, { name: 'Buf' });
	const moved = root.move('elsewhere'); // @move
	root.acquire(); // @acquire-moved
	const error = seen[0] as AcquireAfterReleaseError;
	expect(error.kind).toBe('acquire-after-release');
	expect(error.end?.op).toBe('move');
	expect(error.end?.owner).toBe('elsewhere');
	expect(lineOf(error.end?.site)).toBe(site('move'));
	expect(error.summary).toMatch(/after the ref was moved to elsewhere$/);
	moved.release();
});

test('moving a released reference names the release', () => {
	const seen = collectViolations();
	const ref = track({}, { name: 'Buf' });
	ref.release(); // @release-3
	ref.move('late'); // @move-dead
	const error = seen[0] as MoveAfterReleaseError;
	expect(error).toBeInstanceOf(MoveAfterReleaseError);
	expect(lineOf(error.release?.site)).toBe(site('release-3'));
	expect(lineOf(error.culprit.site)).toBe(site('move-dead'));
});

test('a ref returned by a reported misuse is reported once, not again at each later call', () => {
	const seen = collectViolations();
	const ref = track({}, { name: 'Buf' });
	ref.release();
	const zombie = ref.acquire();
	zombie.value;
	zombie.release();
	expect(seen.map((e) => e.kind)).toEqual(['acquire-after-release']);
});
