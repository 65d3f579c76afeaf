import fc from 'fast-check';
import { expect, test } from 'vitest';
import { configure, type Mode, type Ref, type MisuseError, track, type WeakHandle } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

/*
 * Model-based test: random sequences of track (plain or holding another count's ref), acquire, release,
 * move, value, dispose, weak, tryAcquire, exclusive (with an acquire or tryAcquire inside) and revoke over
 * several objects, in every mode, against a model that says which call is a misuse, of what kind, and which
 * earlier calls it must name.
 */

type Op = 'track' | 'acquire' | 'release' | 'dispose' | 'move' | 'value' | 'weak' | 'revoke';
type Began = 'track' | 'acquire' | 'move' | 'try-acquire';
type ModelState = 'live' | 'released' | 'moved' | 'void';

interface ModelRef {
	readonly id: number;
	readonly object: ModelObject;
	readonly owner: string;
	readonly began: Began;
	/** Where it began, when that is not the line of its `began` op: a count tracked with `holds`, a held ref. */
	readonly at?: 'holds' | 'inner-acquire' | 'inner-try';
	state: ModelState;
	endedBy: Op | null;
	movedTo: string | null;
	/** Where the move that ended it was made: a `move` call, or a `track` that took it as `holds`. */
	movedAt: 'move' | 'holds' | null;
}
interface ModelObject {
	readonly mode: Mode;
	readonly label: string;
	count: number;
	zeroes: number;
	revokedBy: ModelRef | null;
	/** The held ref of the parent count, for a nested count. */
	holds: ModelRef | null;
	section: ModelRef | null;
}
interface ModelHandle {
	readonly object: ModelObject;
}
interface Model {
	refs: ModelRef[];
	/** Refs held by nested counts: no token of the test's, but live entries on their object's list. */
	held: ModelRef[];
	objects: ModelObject[];
	handles: ModelHandle[];
	owners: number;
}
interface Real {
	refs: Ref<object>[];
	handles: WeakHandle<object>[];
	zeroes: Map<ModelObject, number>;
}

const SITE = {
	track: siteOf(import.meta.url, 'op-track'),
	holds: siteOf(import.meta.url, 'op-holds'),
	acquire: siteOf(import.meta.url, 'op-acquire'),
	'try-acquire': siteOf(import.meta.url, 'op-try'),
	release: siteOf(import.meta.url, 'op-release'),
	dispose: siteOf(import.meta.url, 'op-dispose'),
	move: siteOf(import.meta.url, 'op-move'),
	value: siteOf(import.meta.url, 'op-value'),
	weak: siteOf(import.meta.url, 'op-weak'),
	revoke: siteOf(import.meta.url, 'op-revoke'),
	exclusive: siteOf(import.meta.url, 'op-exclusive'),
	'inner-acquire': siteOf(import.meta.url, 'op-inner-acquire'),
	'inner-try': siteOf(import.meta.url, 'op-inner-try'),
};

function perform(op: Exclude<Op, 'track'>, ref: Ref<object>, owner: string): Ref<object> | undefined {
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
		case 'weak':
			void ref.weak(); // @op-weak
			return undefined;
		case 'revoke':
			ref.revoke(owner); // @op-revoke
			return undefined;
	}
}

/** An expected report: kind, then the earlier events as [role, owner, site key, event op] (empty in off mode). */
type Expected = { kind: string; site: keyof typeof SITE; earlier: [string, string, keyof typeof SITE | null, string][] } | null;

const isLive = (ref: ModelRef) => ref.state === 'live';

function beganEvent(ref: ModelRef): [string, string, keyof typeof SITE, string] {
	return ['acquire', ref.owner, ref.at ?? ref.began, ref.began];
}

/** The report for a call on a released or moved ref. */
function deadReport(op: Exclude<Op, 'track'> | 'holds' | 'exclusive', ref: ModelRef): Expected {
	const moved = ref.state === 'moved';
	const kinds = {
		acquire: 'acquire-after-release',
		release: moved ? 'release-after-move' : 'double-release',
		dispose: 'double-release',
		move: moved ? 'double-move' : 'move-after-release',
		holds: moved ? 'double-move' : 'move-after-release',
		value: moved ? 'use-after-move' : 'use-after-release',
		weak: moved ? 'use-after-move' : 'use-after-release',
		revoke: moved ? 'use-after-move' : 'use-after-release',
		exclusive: moved ? 'use-after-move' : 'use-after-release',
	};
	const site = op === 'holds' ? 'holds' : op;
	if (ref.object.mode === 'off') return { kind: kinds[op], site, earlier: [] };
	const end: [string, string, keyof typeof SITE, string] = moved ? ['move', ref.movedTo!, ref.movedAt!, 'move'] : ['release', ref.owner, ref.endedBy as keyof typeof SITE, 'release'];
	return { kind: kinds[op], site, earlier: [end, beganEvent(ref)] };
}

function revokeEvent(object: ModelObject): [string, string, keyof typeof SITE, string] {
	return ['revoke', object.revokedBy!.owner, 'revoke', 'revoke'];
}

/** What the model says a call on `ref` must report. */
function expectedViolation(op: Exclude<Op, 'track'> | 'holds' | 'exclusive', ref: ModelRef): Expected {
	if (ref.state === 'void') return null;
	if (ref.state !== 'live') return op === 'dispose' && ref.state === 'moved' ? null : deadReport(op, ref);
	const { object } = ref;
	const off = object.mode === 'off';
	const site = op === 'holds' ? 'holds' : op;
	if (object.revokedBy !== null) {
		if (op === 'acquire' || op === 'move' || op === 'holds') return { kind: 'acquire-after-revoke', site, earlier: off ? [] : [revokeEvent(object)] };
		if (op === 'value' || op === 'revoke' || op === 'exclusive') return { kind: 'use-after-revoke', site, earlier: off ? [] : [revokeEvent(object), beganEvent(ref)] };
		return null;
	}
	if (op === 'acquire' && object.section !== null) {
		return { kind: 'acquire-during-exclusive', site, earlier: [['section', object.section.owner, off ? null : 'exclusive', 'exclusive'], ...(off ? [] : [beganEvent(ref)])] };
	}
	return null;
}

let sink: MisuseError[] = [];

function checkReport(expected: Expected, seen: MisuseError[], ref: ModelRef | null, site: keyof typeof SITE = expected?.site ?? 'track', count = ref?.object.count): void {
	if (expected === null) {
		expect(seen.map((e) => e.kind)).toEqual([]);
		return;
	}
	expect(seen.map((e) => e.kind)).toEqual([expected.kind]);
	const error = seen[0]!;
	if (ref !== null) {
		expect(error.culprit.ref).toBe(ref.id);
		expect(error.culprit.owner).toBe(ref.owner);
	}
	expect(lineOf(error.culprit.site)).toBe(SITE[site]);
	expect(error.earlier.map((p) => [p.role, p.event.owner, p.event.op])).toEqual(expected.earlier.map(([role, who, , eventOp]) => [role, who, eventOp]));
	const full = (ref?.object.mode ?? 'full') === 'full';
	expect(error.earlier.map((p) => lineOf(p.event.site))).toEqual(expected.earlier.map(([, , key]) => (full && key !== null ? SITE[key] : null)));
	expect(error.count).toBe(count ?? error.count);
}

/** The count reached zero: its onZero ran, and a nested count gave its held ref back (which may cascade). */
function zero(model: Model, object: ModelObject): void {
	object.zeroes++;
	const held = object.holds;
	if (held === null) return;
	held.state = 'released';
	held.endedBy = 'release';
	if (--held.object.count === 0) zero(model, held.object);
}

function checkAll(model: Model, real: Real): void {
	for (let i = 0; i < model.refs.length; i++) {
		const m = model.refs[i]!;
		const state = m.state === 'void' ? 'released' : m.state === 'live' && m.object.revokedBy !== null ? 'revoked' : m.state;
		expect(real.refs[i]!.state).toBe(state);
		expect(real.refs[i]!.count).toBe(m.object.count);
		expect(real.refs[i]!.unique).toBe(state === 'live' && m.object.count === 1);
		expect(real.zeroes.get(m.object) ?? 0).toBe(m.object.zeroes);
	}
	for (let i = 0; i < model.handles.length; i++) expect(real.handles[i]!.count).toBe(model.handles[i]!.object.count);
}

function newObject(model: Model, real: Real, mode: Mode, pick: number | null): void {
	const owner = `o${++model.owners}`;
	const parent = pick === null || model.refs.length === 0 ? null : model.refs[pick % model.refs.length]!;
	const expected = parent === null ? null : expectedViolation('holds', parent);
	configure({ mode });
	sink = [];
	const zeroes = real.zeroes;
	let object: ModelObject | undefined;
	const onZero = () => zeroes.set(object!, (zeroes.get(object!) ?? 0) + 1);
	const ref =
		parent === null
			? track({}, { name: 'Obj', owner, onZero }) // @op-track
			: track({}, { name: 'Obj', owner, onZero, holds: real.refs[model.refs.indexOf(parent)]! }); // @op-holds
	object = { mode, label: ref.label, count: 1, zeroes: 0, revokedBy: null, holds: null, section: null };
	checkReport(expected, sink, parent);
	if (parent !== null && isLive(parent) && parent.object.revokedBy === null) {
		parent.state = 'moved';
		parent.endedBy = 'move';
		parent.movedTo = ref.label;
		parent.movedAt = 'holds';
		// Its id is the one taken just before the new count's first ref.
		const held: ModelRef = { id: ref.id - 1, object: parent.object, owner: ref.label, began: 'move', at: 'holds', state: 'live', endedBy: null, movedTo: null, movedAt: null };
		model.held.push(held);
		object.holds = held;
	}
	real.refs.push(ref);
	model.objects.push(object);
	model.refs.push({ id: ref.id, object, owner, began: 'track', ...(parent === null ? {} : { at: 'holds' as const }), state: 'live', endedBy: null, movedTo: null, movedAt: null });
}

class TrackCommand implements fc.Command<Model, Real> {
	constructor(readonly mode: Mode, readonly holds: number | null) {}
	check(): boolean {
		return true;
	}
	run(model: Model, real: Real): void {
		newObject(model, real, this.mode, this.holds);
		checkAll(model, real);
	}
	toString(): string {
		return `track(${this.mode}${this.holds === null ? '' : `, holds ${this.holds}`})`;
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
		const owner = `o${++model.owners}`;
		const expected = expectedViolation(this.op, ref);
		sink = [];
		const result = perform(this.op, real.refs[index]!, owner);
		this.apply(model, ref, owner, result, real, expected !== null || ref.state === 'void');
		checkReport(expected, sink, ref);
		if (this.op === 'weak') {
			model.handles.push({ object: ref.object });
			real.handles.push(real.refs[index]!.weak());
			sink = [];
		}
		checkAll(model, real);
	}
	private apply(model: Model, ref: ModelRef, owner: string, result: Ref<object> | undefined, real: Real, refused: boolean): void {
		const { object } = ref;
		const addRef = (began: Began, state: ModelState) => {
			real.refs.push(result!);
			model.refs.push({ id: result!.id, object, owner, began, state, endedBy: null, movedTo: null, movedAt: null });
		};
		switch (this.op) {
			case 'acquire':
				if (!refused) object.count++;
				addRef('acquire', refused ? 'void' : 'live');
				break;
			case 'release':
			case 'dispose':
				if (!isLive(ref) || (this.op === 'dispose' && ref.state === 'moved')) break;
				ref.state = 'released';
				ref.endedBy = this.op;
				if (--object.count === 0) zero(model, object);
				break;
			case 'move':
				if (!refused) {
					ref.state = 'moved';
					ref.endedBy = 'move';
					ref.movedTo = owner;
					ref.movedAt = 'move';
				}
				addRef('move', refused ? 'void' : 'live');
				break;
			case 'revoke':
				if (!refused) object.revokedBy = { ...ref, owner: ref.owner };
				break;
			case 'value':
			case 'weak':
				break;
		}
	}
	toString(): string {
		return `${this.op}(${this.pick})`;
	}
}

class TryAcquireCommand implements fc.Command<Model, Real> {
	constructor(readonly pick: number) {}
	check(model: Model): boolean {
		return model.handles.length > 0;
	}
	run(model: Model, real: Real): void {
		const index = this.pick % model.handles.length;
		const { object } = model.handles[index]!;
		const owner = `o${++model.owners}`;
		sink = [];
		const got = real.handles[index]!.tryAcquire(owner); // @op-try
		const allowed = object.count > 0 && object.revokedBy === null && object.section === null;
		expect(got === null).toBe(!allowed);
		expect(sink).toEqual([]);
		if (got !== null) {
			object.count++;
			real.refs.push(got);
			model.refs.push({ id: got.id, object, owner, began: 'try-acquire', state: 'live', endedBy: null, movedTo: null, movedAt: null });
		}
		checkAll(model, real);
	}
	toString(): string {
		return `tryAcquire(${this.pick})`;
	}
}

/** An exclusive section through one ref, with an acquire through another ref (or a tryAcquire) inside. */
class ExclusiveCommand implements fc.Command<Model, Real> {
	constructor(readonly pick: number, readonly inner: 'acquire' | 'try-acquire' | null, readonly innerPick: number) {}
	check(model: Model): boolean {
		return model.refs.length > 0;
	}
	run(model: Model, real: Real): void {
		const index = this.pick % model.refs.length;
		const ref = model.refs[index]!;
		const { object } = ref;
		sink = [];
		const entry = expectedViolation('exclusive', ref) ?? (ref.state === 'live' && object.count !== 1 ? { kind: 'exclusive-not-unique', site: 'exclusive' as const, earlier: this.others(model, ref) } : null);
		const opens = entry === null && ref.state === 'live';
		const count = object.count;
		let inner: MisuseError[] = [];
		real.refs[index]!.exclusive(() => { // @op-exclusive
			if (opens) object.section = ref;
			const entered = sink;
			sink = [];
			this.runInner(model, real);
			inner = sink;
			sink = entered;
		});
		object.section = null;
		checkReport(entry, sink, ref, 'exclusive', count);
		void inner;
		checkAll(model, real);
	}
	private others(model: Model, ref: ModelRef): [string, string, keyof typeof SITE | null, string][] {
		if (ref.object.mode === 'off') return [];
		// Newest first, as the live list keeps them; at most eight.
		const live = [...model.refs, ...model.held].filter((r) => r.object === ref.object && isLive(r) && r !== ref).sort((a, b) => b.id - a.id);
		return live.slice(0, 8).map((r) => ['other', r.owner, r.at ?? r.began, r.began]);
	}
	private runInner(model: Model, real: Real): void {
		if (this.inner === null) return;
		if (this.inner === 'acquire') {
			const index = this.innerPick % model.refs.length;
			const ref = model.refs[index]!;
			const owner = `o${++model.owners}`;
			const expected = expectedViolation('acquire', ref);
			const got = real.refs[index]!.acquire(owner); // @op-inner-acquire
			const refused = expected !== null || ref.state === 'void';
			if (!refused) ref.object.count++;
			real.refs.push(got);
			model.refs.push({ id: got.id, object: ref.object, owner, began: 'acquire', at: 'inner-acquire', state: refused ? 'void' : 'live', endedBy: null, movedTo: null, movedAt: null });
			checkReport(expected, sink, ref, 'inner-acquire');
			return;
		}
		if (model.handles.length === 0) return;
		const index = this.innerPick % model.handles.length;
		const { object } = model.handles[index]!;
		const owner = `o${++model.owners}`;
		const got = real.handles[index]!.tryAcquire(owner); // @op-inner-try
		const intrudes = object.count > 0 && object.revokedBy === null && object.section !== null;
		expect(got === null).toBe(intrudes || object.count === 0 || object.revokedBy !== null);
		expect(sink.map((e) => [e.kind, lineOf(e.culprit.site)])).toEqual(intrudes ? [['acquire-during-exclusive', SITE['inner-try']]] : []);
		if (got !== null) {
			object.count++;
			real.refs.push(got);
			model.refs.push({ id: got.id, object, owner, began: 'try-acquire', at: 'inner-try', state: 'live', endedBy: null, movedTo: null, movedAt: null });
		}
	}
	toString(): string {
		return `exclusive(${this.pick}, ${this.inner ?? 'nothing'} ${this.innerPick})`;
	}
}

test('every misuse is reported exactly at its call, with the right kind and earlier sites, in every mode', () => {
	const modes = fc.constantFrom<Mode>('off', 'list', 'full');
	const commands = [
		modes.map((mode) => new TrackCommand(mode, null)),
		fc.tuple(modes, fc.nat()).map(([mode, pick]) => new TrackCommand(mode, pick)),
		fc.tuple(fc.constantFrom('acquire', 'release', 'dispose', 'move', 'value', 'weak' as const), fc.nat()).map(([op, pick]) => new RefCommand(op, pick)),
		fc.nat().map((pick) => new RefCommand('revoke', pick)),
		fc.nat().map((pick) => new TryAcquireCommand(pick)),
		fc.tuple(fc.nat(), fc.constantFrom('acquire', 'try-acquire', null), fc.nat()).map(([pick, inner, innerPick]) => new ExclusiveCommand(pick, inner, innerPick)),
	];
	// Random runs end with references live by design.
	allowLeaks();
	collectViolations({ quarantine: 4 });
	// One callback for every object; each command points `sink` at a fresh array.
	configure({ onViolation: (error) => void sink.push(error as MisuseError) });
	fc.assert(
		fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
			const setup = () => ({
				model: { refs: [], held: [], objects: [], handles: [], owners: 0 } as Model,
				real: { refs: [], handles: [], zeroes: new Map() } as Real,
			});
			fc.modelRun(setup, cmds);
		}),
		{ numRuns: 300 },
	);
});
