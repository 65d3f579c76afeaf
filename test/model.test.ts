import fc from 'fast-check';
import { expect, test } from 'vitest';
import { configure, type Mode, type Ref, type MisuseError, track } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

/*
 * Model-based test: random sequences of track/acquire/release/move/value/dispose over several objects,
 * in every mode, against a model that says which call is a misuse, of what kind, and which earlier calls
 * it must name.
 */

type Op = 'track' | 'acquire' | 'release' | 'dispose' | 'move' | 'value';
type ModelState = 'live' | 'released' | 'moved' | 'void';

interface ModelRef {
	readonly id: number;
	readonly object: ModelObject;
	readonly owner: string;
	readonly began: 'track' | 'acquire' | 'move';
	state: ModelState;
	endedBy: Op | null;
	movedTo: string | null;
}
interface ModelObject {
	readonly mode: Mode;
	count: number;
	zeroes: number;
}
interface Model {
	refs: ModelRef[];
	objects: ModelObject[];
	owners: number;
}
interface Real {
	refs: Ref<object>[];
	zeroes: Map<ModelObject, number>;
}

const SITE = {
	track: siteOf(import.meta.url, 'op-track'),
	acquire: siteOf(import.meta.url, 'op-acquire'),
	release: siteOf(import.meta.url, 'op-release'),
	dispose: siteOf(import.meta.url, 'op-dispose'),
	move: siteOf(import.meta.url, 'op-move'),
	value: siteOf(import.meta.url, 'op-value'),
};

function perform(op: Op, ref: Ref<object>, owner: string): Ref<object> | undefined {
	switch (op) {
		case 'acquire':
			return ref.acquire(owner); // @op-acquire
		case 'release':
			ref.release(); // @op-release
			return undefined;
		case 'dispose':
			ref[Symbol.dispose](); // @op-dispose
			return undefined;
		case 'move':
			return ref.move(owner); // @op-move
		case 'value':
			void ref.value; // @op-value
			return undefined;
		case 'track':
			throw new Error('track has its own command');
	}
}

type Expected = { kind: string; earlier: [string, string, Op | 'track' | 'acquire' | 'move', string][] } | null;

/** What the model says a call on `ref` must report: its kind and, when recorded, the earlier events (role, owner, site op, event op). */
function expectedViolation(op: Op, ref: ModelRef): Expected {
	if (ref.state === 'live' || ref.state === 'void') return null;
	if (op === 'dispose' && ref.state === 'moved') return null;
	const moved = ref.state === 'moved';
	const kinds: Record<Exclude<Op, 'track'>, string> = {
		acquire: 'acquire-after-release',
		release: moved ? 'release-after-move' : 'double-release',
		dispose: 'double-release',
		move: moved ? 'double-move' : 'move-after-release',
		value: moved ? 'use-after-move' : 'use-after-release',
	};
	const kind = kinds[op as Exclude<Op, 'track'>];
	if (ref.object.mode === 'off') return { kind, earlier: [] };
	const end: [string, string, Op, string] = moved
		? ['move', ref.movedTo!, 'move', 'move']
		: ['release', ref.owner, ref.endedBy!, 'release'];
	return { kind, earlier: [end, ['acquire', ref.owner, ref.began, ref.began]] };
}

let sink: MisuseError[] = [];

class TrackCommand implements fc.Command<Model, Real> {
	constructor(readonly mode: Mode) {}
	check(): boolean {
		return true;
	}
	run(model: Model, real: Real): void {
		const object: ModelObject = { mode: this.mode, count: 1, zeroes: 0 };
		const owner = `o${++model.owners}`;
		configure({ mode: this.mode });
		sink = [];
		const ref = track({}, { name: 'Obj', owner, onZero: () => real.zeroes.set(object, (real.zeroes.get(object) ?? 0) + 1) }); // @op-track
		real.refs.push(ref);
		model.objects.push(object);
		model.refs.push({ id: ref.id, object, owner, began: 'track', state: 'live', endedBy: null, movedTo: null });
		expect(sink).toEqual([]);
	}
	toString(): string {
		return `track(${this.mode})`;
	}
}

class RefCommand implements fc.Command<Model, Real> {
	constructor(readonly op: Exclude<Op, 'track'>, readonly pick: number) {}
	check(model: Model): boolean {
		return model.refs.length > 0;
	}
	run(model: Model, real: Real): void {
		const index = this.pick % model.refs.length;
		const ref = model.refs[index]!;
		const target = real.refs[index]!;
		const owner = `o${++model.owners}`;
		const expected = expectedViolation(this.op, ref);
		sink = [];
		const result = perform(this.op, target, owner);
		this.apply(model, ref, owner, result, real);
		if (expected === null) {
			expect(sink.map((e) => e.kind)).toEqual([]);
		} else {
			expect(sink).toHaveLength(1);
			const error = sink[0]!;
			expect(error.kind).toBe(expected.kind);
			expect(error.culprit.ref).toBe(ref.id);
			expect(error.culprit.owner).toBe(ref.owner);
			expect(lineOf(error.culprit.site)).toBe(SITE[this.op]);
			expect(error.earlier.map((p) => [p.role, p.event.owner, p.event.op])).toEqual(expected.earlier.map(([role, who, , eventOp]) => [role, who, eventOp]));
			const sites = error.earlier.map((p) => lineOf(p.event.site));
			const expectedSites = expected.earlier.map(([, , siteOp]) => (ref.object.mode === 'full' ? SITE[siteOp] : null));
			expect(sites).toEqual(expectedSites);
		}
		for (let i = 0; i < model.refs.length; i++) {
			const m = model.refs[i]!;
			expect(real.refs[i]!.state).toBe(m.state === 'void' ? 'released' : m.state);
			expect(real.refs[i]!.count).toBe(m.object.count);
			expect(real.zeroes.get(m.object) ?? 0).toBe(m.object.zeroes);
		}
	}
	private apply(model: Model, ref: ModelRef, owner: string, result: Ref<object> | undefined, real: Real): void {
		const { object } = ref;
		const live = ref.state === 'live';
		const addRef = (began: ModelRef['began'], state: ModelState) => {
			real.refs.push(result!);
			model.refs.push({ id: result!.id, object, owner, began, state, endedBy: null, movedTo: null });
		};
		switch (this.op) {
			case 'acquire':
				if (live) object.count++;
				addRef('acquire', live ? 'live' : 'void');
				break;
			case 'release':
			case 'dispose':
				if (!live || (this.op === 'dispose' && ref.state === 'moved')) break;
				ref.state = 'released';
				ref.endedBy = this.op;
				if (--object.count === 0) object.zeroes++;
				break;
			case 'move':
				if (live) {
					ref.state = 'moved';
					ref.endedBy = 'move';
					ref.movedTo = owner;
				}
				addRef('move', live ? 'live' : 'void');
				break;
			case 'value':
				break;
		}
	}
	toString(): string {
		return `${this.op}(${this.pick})`;
	}
}

test('every misuse is reported exactly at its call, with the right kind and earlier sites, in every mode', () => {
	const commands = [
		fc.constantFrom<Mode>('off', 'list', 'full').map((mode) => new TrackCommand(mode)),
		fc.tuple(fc.constantFrom('acquire', 'release', 'dispose', 'move', 'value' as const), fc.nat()).map(([op, pick]) => new RefCommand(op, pick)),
	];
	// Random runs end with references live by design.
	allowLeaks();
	collectViolations({ quarantine: 4 });
	// One callback for every object; each command points `sink` at a fresh array.
	configure({ onViolation: (error) => void sink.push(error as MisuseError) });
	fc.assert(
		fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
			const setup = () => ({ model: { refs: [], objects: [], owners: 0 } as Model, real: { refs: [], zeroes: new Map() } as Real });
			fc.modelRun(setup, cmds);
		}),
		{ numRuns: 300 },
	);
});
