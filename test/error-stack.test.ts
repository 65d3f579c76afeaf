import { expect, test } from 'vitest';
import { checkLeaks, configure, DoubleReleaseError, LeakError, OnZeroFailedError, track } from '../lib/index.js';
import { collectViolations, siteOf } from './helpers.js';

// A thrown violation's own stack starts at the application's call, as a native error's would.
const atLines = (stack: string | undefined) => (stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));

test('an error thrown from the offending call has a stack that starts in the caller, with no reftrace frames', () => {
	configure({ mode: 'full', onViolation: 'throw' });
	const ref = track({}, { name: 'Thrown' });
	ref.release();
	let error: unknown;
	try {
		ref.release();
	} catch (caught) {
		error = caught;
	}
	configure({ onViolation: 'report' });
	expect(error).toBeInstanceOf(DoubleReleaseError);
	const stack = (error as Error).stack;
	expect(stack?.split('\n')[0]).toBe(`DoubleReleaseError: ${(error as Error).message.split('\n')[0]}`);
	expect(atLines(stack)[0]).toMatch(/error-stack\.test\.ts:\d+:\d+\)?$/);
	expect(atLines(stack).filter((line) => /[\\/]lib[\\/]/.test(line))).toEqual([]);
});

test('a leak rejected by checkLeaks has a stack that starts in the awaiting caller, with no reftrace frames', async () => {
	configure({ mode: 'full', onViolation: 'report' });
	const root = track({}, { name: 'Scoped' });
	let kept: { release(): void } | undefined;
	const error = await checkLeaks(async () => {
		kept = root.acquire('kept');
		await null;
	}).catch((caught: unknown) => caught);
	kept?.release();
	root.release();
	expect(error).toBeInstanceOf(LeakError);
	const lines = atLines((error as Error).stack);
	expect(lines[0]).toMatch(/error-stack\.test\.ts:\d+:\d+\)?$/);
	expect(lines.filter((line) => /[\\/]lib[\\/]/.test(line))).toEqual([]);
});

test('inside onZero, a misuse thrown through reftrace keeps only the application frames', () => {
	configure({ mode: 'full', onViolation: 'throw' });
	const root = track({}, {
		name: 'Nested',
		onZero: () => reader.release(), // @inner-release
	});
	const reader = root.acquire('reader');
	reader.release();
	let error: unknown;
	try {
		root.release();
	} catch (caught) {
		error = caught;
	}
	configure({ onViolation: 'report' });
	expect(error).toBeInstanceOf(OnZeroFailedError);
	const cause = (error as Error).cause;
	expect(cause).toBeInstanceOf(DoubleReleaseError);
	const lines = atLines((cause as Error).stack);
	expect(lines[0]).toMatch(new RegExp(`${siteOf(import.meta.url, 'inner-release').replace(/^.*\//, '')}:\\d+\\)?$`));
	expect(lines.filter((line) => /[\\/]lib[\\/]/.test(line))).toEqual([]);
	expect(lines.length).toBeGreaterThan(1);
});

test('a violation message reads, writes and clones as on any error', () => {
	const seen = collectViolations();
	const ref = track({}, { name: 'Message' });
	ref.release();
	ref.release();
	const [error] = seen;
	// Cloned before anything read the message: a callback gets the error with its message in place.
	const clone = structuredClone(error!);
	expect(error!.message.split('\n')[0]).toBe(`reftrace: double-release: ${error!.summary}`);
	expect(clone.message).toBe(error!.message);
	error!.message = 'rewritten by the application';
	expect(error!.message).toBe('rewritten by the application');
	expect(Object.keys(error!)).not.toContain('message');
});
