import { expect, test } from 'vitest';
import { DoubleReleaseError, track } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

test('off mode still catches a double release at the offending call, without history', () => {
	const seen = collectViolations({ mode: 'off' });
	const ref = track({}, { name: 'Cheap', owner: 'caller' });
	ref.release();
	ref.release(); // @culprit
	const error = seen[0] as DoubleReleaseError;
	expect(error).toBeInstanceOf(DoubleReleaseError);
	expect(lineOf(error.culprit.site)).toBe(siteOf(import.meta.url, 'culprit'));
	expect(error.culprit.owner).toBe('caller');
	expect(error.earlier).toEqual([]);
	expect(error.firstRelease).toBeNull();
	expect(error.note).toMatch(/tracked in off mode: no history recorded/);
	expect(error.message).toContain(error.note!);
});

test('list mode names earlier events with owners but no stacks', () => {
	const seen = collectViolations({ mode: 'list' });
	const root = track({}, { name: 'Listed' });
	const ref = root.acquire('reader');
	ref.release();
	ref.release();
	const error = seen[0] as DoubleReleaseError;
	expect(error.firstRelease?.owner).toBe('reader');
	expect(error.firstRelease?.site).toBeNull();
	expect(error.firstRelease?.stack).toEqual([]);
	expect(error.note).toBe(`no stack: ${root.label} is tracked in list mode (REFTRACE=full records stacks)`);
	expect(error.message).toContain(`    ${error.note}\n`);
	expect(error.acquire?.op).toBe('acquire');
	expect(error.culprit.site).not.toBeNull();
	root.release();
});
