import { createReferenceCountedPointer } from '@isograph/reference-counted-pointer';
import { configure, type Mode, type Ref, track } from 'reftrace';
import { consume, keep } from './harness.js';

/**
 * The implementations every scenario compares. Each offers the three moves a scenario combines:
 * take a reference to an object, hand it over, give it back.
 */
export interface Subject {
	acquire(object: number): unknown;
	move(ref: unknown): unknown;
	release(ref: unknown): void;
}

export type SubjectFactory = (objects: number) => Subject;

/** A plain class doing count++ / count--: the baseline every ratio is taken against. */
class Counter {
	count = 1;
}
const counter: SubjectFactory = (objects) => {
	const counters = Array.from({ length: objects }, () => new Counter());
	return {
		acquire: (i) => {
			const c = counters[i]!;
			c.count++;
			return c;
		},
		move: (ref) => ref,
		release: (ref) => {
			(ref as Counter).count--;
		},
	};
};

/** reftrace as shipped, in one mode (leak detection included where it is on by default). */
function library(mode: Mode, sample = 1, releaseStackDepth = 4): SubjectFactory {
	return (objects) => {
		configure({ mode, sample, releaseStackDepth, exitReport: false, onViolation: 'throw' });
		const roots = Array.from({ length: objects }, (_, i) => track({ id: i }, { name: 'BenchObject' }));
		keep(roots);
		return {
			acquire: (i) => roots[i]!.acquire(),
			move: (ref) => (ref as Ref<object>).move(),
			release: (ref) => (ref as Ref<object>).release(),
		};
	};
}

/** One FinalizationRegistry register + unregister per reference and nothing else: the floor of per-reference leak detection. */
const bareRegistry: SubjectFactory = () => {
	const registry = new FinalizationRegistry<number>(() => undefined);
	return {
		acquire: (i) => {
			const token = { i };
			registry.register(token, i, token);
			return token;
		},
		move: (ref) => {
			registry.unregister(ref as object);
			const token = { i: (ref as { i: number }).i };
			registry.register(token, token.i, token);
			return token;
		},
		release: (ref) => {
			registry.unregister(ref as object);
		},
	};
};

/** A `new Error()` per event and nothing else: the floor of any mode that records stacks. */
const bareCapture: SubjectFactory = () => ({
	acquire: () => new Error(),
	move: () => new Error(),
	release: (ref) => consume(ref === new Error()),
});

/** A minimal tracker that keeps `new Error().stack` strings per event, as VS Code's DisposableTracker does. */
const eager: SubjectFactory = () => {
	const live = new Map<object, string | undefined>();
	let lastRelease: string | undefined;
	return {
		acquire: () => {
			const token = {};
			live.set(token, new Error().stack);
			return token;
		},
		move: (ref) => {
			live.delete(ref as object);
			const token = {};
			live.set(token, new Error().stack);
			return token;
		},
		release: (ref) => {
			live.delete(ref as object);
			lastRelease = new Error().stack;
			consume(lastRelease);
		},
	};
};

type Pointer = ReturnType<typeof createReferenceCountedPointer<object>>;

/** @isograph/reference-counted-pointer: a real refcount library without debugging (it has no move). */
const isograph: SubjectFactory = (objects) => {
	const roots = Array.from({ length: objects }, (_, i) => createReferenceCountedPointer<object>([{ id: i }, () => undefined])[0]);
	return {
		acquire: (i) => roots[i]!.cloneIfNotDisposed(),
		move: (ref) => ref,
		release: (ref) => (ref as Pointer)[1](),
	};
};

/** Every variant by name, in the order tables show them. */
export const SUBJECTS: Readonly<Record<string, SubjectFactory>> = {
	counter,
	off: library('off'),
	list: library('list'),
	full: library('full'),
	'full, 10-frame releases': library('full', 1, 10),
	'full, 1% sampled': library('full', 0.01),
	'bare-registry': bareRegistry,
	'bare-capture': bareCapture,
	eager,
	isograph,
};

/** Plain-language meaning of each variant, for the generated docs. */
export const MEANINGS: Readonly<Record<string, string>> = {
	counter: 'a plain class doing `count++` / `count--` (the baseline of every ratio)',
	off: 'reftrace in `off` mode: a token per reference, counts, states, `onZero`; no lists, stacks or clocks',
	list: 'reftrace in `list` mode: owners, live list, quarantine, times and GC leak detection; no stacks',
	full: 'reftrace in `full` mode as shipped: `list` plus a stack per event (10 frames to take, 4 to release)',
	'full, 10-frame releases': '`full` with `releaseStackDepth: 10`: what the shallower default release stack saves',
	'full, 1% sampled': '`full` with `REFTRACE_SAMPLE=0.01`: owners, lists and leak detection for all, stacks for 1 reference in 100',
	'bare-registry': 'one `FinalizationRegistry` register + unregister per reference and nothing else',
	'bare-capture': 'one `new Error()` per event (two per pair) and nothing else',
	eager: 'a minimal tracker storing `new Error().stack` strings per event, as VS Code\'s DisposableTracker does',
	isograph: '`@isograph/reference-counted-pointer`, a refcount library without debugging (no move: the handle is passed on)',
	'full + trace': '`full` with the timeline export on (`REFTRACE_TRACE`), written to /dev/null',
	'off, plain count': 'in the nested-count and weak-handle tables: a plain acquire+release in the same loop as the row above it, for a same-run comparison (so for `list` and `full`)',
};
