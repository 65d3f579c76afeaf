import { runInThisContext } from 'node:vm';
import { expect, test } from 'vitest';
import { track, type DoubleReleaseError, type Ref } from '../lib/index.js';
import { collectViolations } from './helpers.js';

type Take = (take: typeof track) => Ref<object>;

/** Double-releases what `taker` tracked, and returns the report's event for the track. */
function trackedBy(taker: Take): DoubleReleaseError['culprit'] {
	const seen = collectViolations();
	const ref = taker(track);
	ref.release();
	ref.release();
	return (seen[0] as DoubleReleaseError).earlier.at(-1)!.event;
}

test('references taken at the same position of two eval calls are attributed each to its own function', () => {
	// The two scripts differ only in a name, so both calls of track are at the same source position.
	const alpha = trackedBy((0, eval)('(function alpha(take) { return take({}); })') as Take);
	const bravo = trackedBy((0, eval)('(function bravo(take) { return take({}); })') as Take);
	expect([alpha.owner, bravo.owner]).toEqual(['alpha', 'bravo']);
	expect(alpha.stack[0]).toMatch(/^alpha \(eval at <anonymous> \(test\/frame-identity\.test\.ts:\d+:\d+\), <anonymous>:1:32\)$/);
	expect(bravo.stack[0]).toMatch(/^bravo \(eval at <anonymous> \(test\/frame-identity\.test\.ts:\d+:\d+\), <anonymous>:1:32\)$/);
});

test('a site in eval\'d code names where the code was compiled', () => {
	const event = trackedBy(new Function('take', 'return take({});') as Take);
	expect(event.site).toMatch(/^eval at <anonymous> \(test\/frame-identity\.test\.ts:\d+:\d+\), <anonymous>:3:8$/);
});

test('two functions from new Function at the same position are attributed each to its own name', () => {
	const alpha = trackedBy(new Function('take', 'const alpha = () => take({}); return alpha();') as Take);
	const bravo = trackedBy(new Function('take', 'const bravo = () => take({}); return bravo();') as Take);
	expect([alpha.owner, bravo.owner]).toEqual(['alpha', 'bravo']);
});

test('a script reloaded under the same file name with changed code gets frames of its own', () => {
	const first = trackedBy(runInThisContext('(function alpha(take) { return take({}); })', { filename: '/srv/app/reloaded.js' }) as Take);
	const second = trackedBy(runInThisContext('(function bravo(take) { return take({}); })', { filename: '/srv/app/reloaded.js' }) as Take);
	expect([first.owner, second.owner]).toEqual(['alpha', 'bravo']);
	expect([first.site, second.site]).toEqual(['/srv/app/reloaded.js:1:32', '/srv/app/reloaded.js:1:32']);
});

test('two builtins calling back into the application keep their own names', () => {
	const viaMap = trackedBy((take) => [0].map(() => take({}))[0]!);
	const viaFind = trackedBy((take) => {
		let ref: Ref<object> | undefined;
		[0].find(() => (ref = take({})));
		return ref!;
	});
	expect(viaMap.stack[1]).toBe('Array.map (native)');
	expect(viaFind.stack[1]).toBe('Array.find (native)');
});
