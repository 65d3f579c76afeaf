import { afterEach, expect, test, vi } from 'vitest';
import { configure, DoubleReleaseError, RefTraceError, track, UseAfterReleaseError } from '../lib/index.js';
import { host } from '../lib/platform/host.js';

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
	vi.restoreAllMocks();
});

test('throw: the offending call throws the typed error and changes nothing', () => {
	configure({ onViolation: 'throw' });
	const root = track({}, { name: 'Res' });
	const extra = root.acquire('x');
	extra.release();
	expect(() => extra.release()).toThrow(DoubleReleaseError);
	expect(() => extra.value).toThrow(UseAfterReleaseError);
	expect(() => extra.acquire()).toThrow(RefTraceError);
	expect(() => extra.move()).toThrow(RefTraceError);
	expect([root.count, extra.state]).toEqual([1, 'released']);
	const moved = root.move('y');
	expect(() => root.release()).toThrow(/^reftrace: release-after-move: /);
	expect([moved.count, root.state, moved.state]).toEqual([1, 'moved', 'live']);
	moved.release();
});

test('report: the report goes to stderr at once and the call carries on', () => {
	const writes: string[] = [];
	// Reports go to stderr through the host (a synchronous write to the descriptor, not the stream).
	vi.spyOn(host(), 'writeError').mockImplementation((text) => void writes.push(text));
	configure({ onViolation: 'report' });
	const ref = track({ v: 1 }, { name: 'Res' });
	ref.release();
	expect(ref.value).toEqual({ v: 1 });
	expect(writes).toHaveLength(1);
	expect(writes[0]).toMatch(/reftrace: use-after-release: /);
	expect(writes[0]!.endsWith('\n')).toBe(true);
});

test('a callback receives the error and the call carries on', () => {
	const received: unknown[] = [];
	configure({ onViolation: (error) => received.push(error) });
	const ref = track({}, { name: 'Res' });
	ref.release();
	ref.release();
	expect(received).toHaveLength(1);
	expect(received[0]).toBeInstanceOf(DoubleReleaseError);
});

test('the policy in force when an object was tracked applies to it', () => {
	configure({ onViolation: 'throw' });
	const strict = track({}, { name: 'Strict' });
	configure({ onViolation: () => undefined });
	const lenient = track({}, { name: 'Lenient' });
	strict.release();
	lenient.release();
	expect(() => strict.release()).toThrow(DoubleReleaseError);
	expect(() => lenient.release()).not.toThrow();
});

test('configure rejects bad values with messages naming the option', () => {
	expect(() => configure({ mode: 'verbose' as 'full' })).toThrow(new TypeError('Expected `mode` to be one of off, list, full, got verbose'));
	expect(() => configure({ onViolation: 'ignore' as 'report' })).toThrow(/^Expected `onViolation` to be 'report', 'throw' or a function/);
	expect(() => configure({ stackDepth: 0 })).toThrow(new TypeError('Expected `stackDepth` to be an integer from 1 to 64, got 0'));
	expect(() => configure({ quarantine: 1.5 })).toThrow(/^Expected `quarantine` to be an integer/);
	expect(() => configure({ colour: true } as never)).toThrow(/^Unknown option `colour`/);
});
