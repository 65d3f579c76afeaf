import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { OnZeroFailedError, track } from '../lib/index.js';
import { childEnv, collectViolations } from './helpers.js';

/** The label `track` gives `value` by default, without its `#id`; the reference is released. */
function defaultLabel(value: object): string {
	const ref = track(value);
	ref.release();
	return ref.label.replace(/#\d+$/, '');
}

const savedPrepare = Error.prepareStackTrace;
afterEach(() => {
	Error.prepareStackTrace = savedPrepare;
});

/** Tracks an object whose onZero throws `thrown`, releases it, and returns the violation reported. */
function releaseThrowing(thrown: unknown): OnZeroFailedError {
	const seen = collectViolations();
	const ref = track({}, {
		name: 'Odd',
		onZero: () => {
			throw thrown;
		},
	});
	ref.release();
	expect(seen).toHaveLength(1);
	return seen[0] as OnZeroFailedError;
}

test('an onZero that throws a null-prototype object is reported, and release returns', () => {
	const thrown = Object.create(null) as object;
	const error = releaseThrowing(thrown);
	expect(error.summary).toBe(`onZero of ${error.object} threw [object Object]`);
	expect(error.cause).toBe(thrown);
});

test('an onZero that throws an object whose toString throws is reported, and release returns', () => {
	const error = releaseThrowing({
		toString() {
			throw new Error('no string');
		},
	});
	expect(error.summary).toBe(`onZero of ${error.object} threw [object Object]`);
});

test('an onZero error whose stack the application formats as a non-string is reported without that stack', () => {
	Error.prepareStackTrace = () => ({ frames: [] });
	const error = releaseThrowing(new Error('close failed'));
	expect([error.summary, error.detail]).toEqual([`onZero of ${error.object} threw Error: close failed`, null]);
});

test('an onZero error whose stack the application fails to format is reported without that stack', () => {
	Error.prepareStackTrace = () => {
		throw new Error('formatter broken');
	};
	const error = releaseThrowing(new Error('close failed'));
	expect([error.summary, error.detail]).toEqual([`onZero of ${error.object} threw Error: close failed`, null]);
});

for (const kind of ['null-prototype', 'throwing-toString']) {
	test(`a leak callback that throws a ${kind} value is reported and the process goes on`, () => {
		const fixture = fileURLToPath(new URL('./fixtures/throwing-leak-callback.mjs', import.meta.url));
		const result = spawnSync(process.execPath, ['--expose-gc', fixture, kind], { env: childEnv({ REFTRACE_EXIT_REPORT: '0' }), encoding: 'utf8' });
		expect([result.status, result.stdout, result.stderr]).toEqual([0, 'still running\n', 'reftrace: the onViolation callback threw while reporting a leak: [object Object]\n']);
	});
}

test('track names an object by its constructor without running a constructor getter', () => {
	let runs = 0;
	const value = {
		get constructor() {
			runs++;
			throw new Error('getter ran');
		},
	};
	expect([defaultLabel(value), runs]).toEqual(['Object', 0]);
});

test("track does not let a Proxy trap's error escape", () => {
	const value = new Proxy({}, {
		getPrototypeOf() {
			throw new Error('trap ran');
		},
		get() {
			throw new Error('trap ran');
		},
	});
	expect(defaultLabel(value)).toBe('Object');
});

test('track labels an instance of a class whose static name is not a string Object', () => {
	class Numbered {
		static name = 42;
	}
	expect(defaultLabel(new Numbered())).toBe('Object');
});

test('track still labels a transparent Proxy of a class instance with the class name', () => {
	class Conn {}
	expect(defaultLabel(new Proxy(new Conn(), {}))).toBe('Conn');
});
