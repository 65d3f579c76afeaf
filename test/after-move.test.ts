import { expect, test } from 'vitest';
import { DoubleMoveError, ReleaseAfterMoveError, UseAfterMoveError, track } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

test('release after move names the move site and the new owner', () => {
	const seen = collectViolations();
	const job = track({ id: 1 }, { name: 'Job', owner: 'producer' }); // @track
	const queued = job.move('queue'); // @move
	job.release(); // @culprit
	const error = seen[0];
	expect(error).toBeInstanceOf(ReleaseAfterMoveError);
	if (!(error instanceof ReleaseAfterMoveError)) return;
	expect(error.newOwner).toBe('queue');
	expect(lineOf(error.move?.site)).toBe(site('move'));
	expect(lineOf(error.culprit.site)).toBe(site('culprit'));
	expect(error.culprit.owner).toBe('producer');
	expect(error.earlier.map((p) => [p.title, lineOf(p.event.site)])).toEqual([
		['moved to a new ref', site('move')],
		['tracked', site('track')],
	]);
	expect(error.message.split('\n')[0]).toMatch(/release of ref #\d+ of Job#\d+ after the ref was moved to queue$/);
	expect(queued.count).toBe(1);
	queued.release();
});

test('use after move names the move site and the new owner', () => {
	const seen = collectViolations();
	const job = track({ id: 2 }, { name: 'Job' });
	const working = job.move('worker'); // @move-2
	const value = job.value; // @use
	expect(value).toEqual({ id: 2 });
	const error = seen[0];
	expect(error).toBeInstanceOf(UseAfterMoveError);
	if (!(error instanceof UseAfterMoveError)) return;
	expect([error.kind, error.culprit.op, error.newOwner]).toEqual(['use-after-move', 'use', 'worker']);
	expect(lineOf(error.culprit.site)).toBe(site('use'));
	expect(lineOf(error.move?.site)).toBe(site('move-2'));
	working.release();
});

test('moving a moved reference is a double move naming the first move', () => {
	const seen = collectViolations();
	const job = track({}, { name: 'Job' });
	const first = job.move('a'); // @move-3
	const second = job.move('b'); // @move-again
	expect(seen[0]).toBeInstanceOf(DoubleMoveError);
	const error = seen[0] as DoubleMoveError;
	expect(lineOf(error.move?.site)).toBe(site('move-3'));
	expect(lineOf(error.culprit.site)).toBe(site('move-again'));
	expect(error.newOwner).toBe('a');
	expect([first.state, second.state, job.count]).toEqual(['live', 'released', 1]);
	first.release();
});
