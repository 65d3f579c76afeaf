import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { checkLeaks, configure, instrument, LeakError, type UseAfterReleaseError } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

// The TensorFlow.js recipe of docs/adapters.md, run against @tensorflow/tfjs-core itself on its CPU backend
// (devDependencies). Every tensor is made through the engine and given back through engine.disposeTensor,
// whether by tensor.dispose() or by tf.tidy, so those are what the recipe hooks.

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

// The recipe.
configure({ wrapperFiles: [/node_modules\/(?:\.vite\/deps\/)?@tensorflow[/_]/] });
const Engine = Object.getPrototypeOf(tf.engine()) as object;
instrument(tf.Tensor, {
	shape: 'disposable',
	release: [],
	releasedBy: [[Engine, 'disposeTensor']],
	createdBy: [
		[Engine, 'makeTensor'],
		[Engine, 'makeTensorFromTensorInfo'],
		[Engine, 'makeTensorFromDataId'],
	],
	methods: ['dataSync', 'data', 'arraySync', 'array'],
});

beforeAll(async () => {
	await tf.setBackend('cpu');
});

test('reading a tensor tf.tidy disposed is a use after release naming the tidy and the line that made it (TensorFlow.js #914)', () => {
	const seen = collectViolations();
	let inner: tf.Tensor | undefined;
	// The tidy's release is reported at the line where its call begins.
	const kept = tf.tidy(() => { // @tidy
		inner = tf.tensor([1, 2, 3]); // @made
		return tf.mul(inner, 2);
	});
	expect(() => inner!.dataSync()).toThrow(/disposed/); // @late-read
	const error = seen[0] as UseAfterReleaseError;
	expect(error.kind).toBe('use-after-release');
	expect(lineOf(error.culprit.site)).toBe(siteOf(import.meta.url, 'late-read'));
	expect(error.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'tidy'), siteOf(import.meta.url, 'made')]);
	kept.dispose();
});

test('a tensor disposed twice is no violation: TensorFlow.js allows it, and only the first reaches the engine', () => {
	const seen = collectViolations();
	const t = tf.tensor([1]);
	t.dispose();
	t.dispose();
	tf.tidy(() => tf.tensor([2]).dispose());
	expect(seen).toEqual([]);
});

test('checkLeaks names the op that made a tensor never disposed, and nothing tidy disposed', async () => {
	const a = tf.tensor([1, 2]);
	let leaked: tf.Tensor | undefined;
	const error = await checkLeaks(() => {
		// A tidy that returns nothing disposes all it made (one that returned the sum would hand it out, live).
		tf.tidy(() => {
			tf.add(a, 1);
		});
		leaked = tf.add(a, a); // @leaked-op
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.sites.map((s) => lineOf(s.site))).toEqual([siteOf(import.meta.url, 'leaked-op')]);
	leaked!.dispose();
	a.dispose();
	expect(tf.memory().numTensors).toBe(0);
});

test('a tensor dropped undisposed is reported when collected (tf.memory() only counts it)', async () => {
	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode: 'full', onViolation: (e) => void (e instanceof LeakError && leaks.push(e)) });
	(() => {
		tf.zeros([4]); // @dropped
	})();
	await collectGarbage(() => leaks.length === 1);
	expect(leaks).toHaveLength(1);
	expect(lineOf(leaks[0]!.taken!.site)).toBe(siteOf(import.meta.url, 'dropped'));
});
