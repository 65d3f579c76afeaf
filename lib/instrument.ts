import { noteBalance } from './balance.js';
import { belowAdapter, trackBelow, type Ref } from './ref.js';
import { lossWatcher, type LossWatcher, type RevokedWhen } from './revoke-adopted.js';
import { expectObject } from './settings.js';

/*
 * `instrument`: existing classes whose calls become tracked events, with no other change to the
 * application. Each adopted object gets a token (a Ref to a private anchor, never to the object, so that
 * the tracer keeps nothing of the application's alive), held weakly by the object: an object dropped
 * while its token is live takes its token with it, and the collection is reported as a leak.
 */

/** The three shapes of existing reference-counting APIs. */
export type InstrumentShape = 'disposable' | 'handle' | 'counted';

type Key = string | symbol;

/** Options for `instrument`. */
export interface InstrumentOptions {
	/**
	 * - `disposable`: each object starts with one reference; a `release` method (`dispose`, `close`,
	 *   `destroy`, `Symbol.dispose`) gives it back; a second one is a double release.
	 * - `handle`: as `disposable`, and each `clone` method returns a new handle holding a new reference.
	 * - `counted`: `retain` methods add one to the object's own count, `release` methods take one away;
	 *   there is no token per reference (untracked references), so leaks show a balance tree.
	 */
	readonly shape: InstrumentShape;
	/** Methods that give a reference back. Required; may be empty when `releasedBy` is given. */
	readonly release: readonly Key[];
	/** `handle`: methods returning a new handle to the same object. */
	readonly clone?: readonly Key[] | undefined;
	/** `counted`: methods that take one more reference. */
	readonly retain?: readonly Key[] | undefined;
	/** Methods whose call after the last release is a use-after-release (`'all'`: every other method on the prototype). Default none. */
	readonly methods?: readonly Key[] | 'all' | undefined;
	/** Static methods of the class that return a new object (each one adopted as if made by `new`). */
	readonly factories?: readonly Key[] | undefined;
	/** Label in reports (default: the class's name). */
	readonly name?: string | undefined;
	/**
	 * Methods of other objects that return new instances: `[[GPUDevice.prototype, 'createBuffer']]`. What
	 * such a call returns is adopted as if made by `new`, when it is an object (a promise is not adopted).
	 */
	readonly createdBy?: readonly (readonly [holder: object, method: Key])[] | undefined;
	/**
	 * Methods of other objects that give back the reference of the object passed as their first argument:
	 * `[[Engine.prototype, 'disposeTensor']]`, for a library whose every release path goes through one.
	 */
	readonly releasedBy?: readonly (readonly [holder: object, method: Key])[] | undefined;
	/**
	 * `disposable` with `createdBy` only: names, for the object whose `createdBy` method made an object (a
	 * GPUDevice), a promise after which what it made is revoked: `(device) => device.lost.then((info) =>
	 * \`device lost (${info.reason}): ${info.message}\`)`. Called once per creator; the promise's value is the
	 * revoke's reason when it is a non-empty string; null or undefined: that creator's objects are never revoked.
	 * A revoked object needs no release: it is listed under its revoke, not as a leak; a release after it is
	 * fine, a second one a double release; calls of `methods` on it are not reported.
	 */
	readonly revokedWhen?: RevokedWhen | undefined;
}

/** The token of every adopted object (disposables and handles). */
const tokens = new WeakMap<object, Ref<object>>();
/** Counted objects: the creator's token, and the count the object's own methods keep. */
const counted = new WeakMap<object, { readonly token: Ref<object>; count: number }>();
const instrumented = new WeakSet<object>();

/** Whether `value` was adopted (made by an instrumented class or factory, or reached JavaScript through `traceEmbind`). */
export function isAdopted(value: object): boolean {
	return tokens.has(value) || counted.has(value);
}

/** The token of an adopted disposable or handle. @internal */
export function tokenOf(value: object): Ref<object> | undefined {
	return tokens.get(value);
}

/** Gives an adopted handle a new token (`deleteLater` moves it to the deletion queue). @internal */
export function replaceToken(value: object, token: Ref<object>): void {
	tokens.set(value, token);
}

/** Adopts `value`: a new tracked reference, its stacks cut at `above`. Adopting twice does nothing. @internal */
export function adopt(value: object, name: string, shape: InstrumentShape, above: Function): void {
	if (isAdopted(value)) return;
	const token = trackBelow({}, { name }, above);
	if (shape !== 'counted') {
		tokens.set(value, token);
		return;
	}
	counted.set(value, { token, count: 1 });
	const entry = belowAdapter.entry(token);
	if (entry?.stack != null) noteBalance(entry.record, 1, above);
}

/** Adopts a new handle made by cloning the adopted `source`: a new reference to the same object. @internal */
export function adoptClone(source: object, clone: unknown, above: Function): void {
	const from = tokens.get(source);
	if (from === undefined || typeof clone !== 'object' || clone === null || isAdopted(clone)) return;
	tokens.set(clone, belowAdapter.acquire(from, undefined, above));
}

/** Releases an adopted disposable or handle (`op`: how reports name it). @internal */
export function releaseAdopted(value: object, op: 'release' | 'dispose', above: Function): void {
	const token = tokens.get(value);
	if (token !== undefined) belowAdapter.release(token, op, above);
}

/** Reports a call of `method` on an adopted object whose reference was given back. @internal */
export function checkCall(value: object, method: string, above: Function): void {
	const token = tokens.get(value) ?? counted.get(value)?.token;
	// A revoked object's calls are not reported: WebGPU makes them quiet no-ops on a lost device's objects.
	if (token === undefined || token.state === 'live' || token.state === 'revoked') return;
	belowAdapter.misuse(token, 'call', above, `${method}() was called on ${token.label} after its reference ${token.state === 'moved' ? 'was moved' : 'was given back'}`);
}

function retainCounted(value: object, above: Function): void {
	const state = counted.get(value);
	if (state === undefined) return;
	if (state.token.state !== 'live') {
		belowAdapter.misuse(state.token, 'acquire', above, `retain of ${state.token.label} after its count reached 0`);
		return;
	}
	state.count++;
	const entry = belowAdapter.entry(state.token);
	if (entry === null) return;
	entry.record.adjust(1);
	// A counted object is sampled as a whole: its paths are noted when its creation recorded a stack.
	if (entry.stack !== null) noteBalance(entry.record, 1, above);
}

function releaseCounted(value: object, above: Function): void {
	const state = counted.get(value);
	if (state === undefined) return;
	const { token } = state;
	if (state.count === 0) {
		belowAdapter.misuse(token, 'release', above, `${token.label} was released at count 0: more releases than retains (the release that brought it to 0 is below)`);
		return;
	}
	state.count--;
	const entry = belowAdapter.entry(token);
	if (entry?.stack != null) noteBalance(entry.record, -1, above);
	if (state.count === 0) belowAdapter.release(token, 'release', above);
	else if (entry !== null) entry.record.adjust(-1);
}

function keys(name: string, value: unknown, required: boolean): readonly Key[] {
	if (value === undefined && !required) return [];
	if (!Array.isArray(value) || (required && value.length === 0) || !value.every((k) => (typeof k === 'string' && k !== '') || typeof k === 'symbol')) {
		throw new TypeError(`Expected \`${name}\` to be a${required ? ' non-empty' : 'n'} array of method names, got ${Array.isArray(value) ? 'an array with other items' : typeof value}`);
	}
	return value as Key[];
}

type Method = (this: object, ...args: unknown[]) => unknown;

/** A method's name as reports print it: `close`, `[Symbol.dispose]`. */
const keyName = (key: Key): string => (typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key);

function methodOf(holder: object, key: Key, what: string): Method {
	const method: unknown = (holder as Record<Key, unknown>)[key];
	if (typeof method !== 'function') throw new TypeError(`Expected \`${keyName(key)}\` to be a method of ${what}, got ${typeof method}`);
	return method as Method;
}

/** Replaces `holder[key]` with `make(original)`, keeping the property's other attributes. */
function patch(holder: object, key: Key, what: string, make: (original: Method) => Method): void {
	const original = methodOf(holder, key, what);
	const descriptor = Object.getOwnPropertyDescriptor(holder, key) ?? { writable: true, enumerable: false, configurable: true };
	Object.defineProperty(holder, key, { ...descriptor, value: make(original) });
}

/**
 * Hooks an existing class so that its existing calls become tracked events: objects made by the class
 * returned (and by the `factories` named) are adopted, and the methods named in the options report
 * misuse at the offending call. The prototype's methods are patched in place, so objects made before, or
 * by the original class, pass through untracked. JavaScript cannot intercept `new` on an existing class
 * binding: use the class returned in its place (one changed import or assignment).
 * @returns a subclass of `target` whose instances are adopted when constructed.
 * @throws TypeError when `target` is not a class, is already instrumented, or an option is invalid.
 * @example
 * export const Conn = instrument(RawConn, { shape: 'disposable', release: ['close', Symbol.dispose], methods: ['query'] });
 */
export function instrument<C extends abstract new (...args: never[]) => object>(target: C, options: InstrumentOptions): C {
	if (typeof target !== 'function' || typeof target.prototype !== 'object' || target.prototype === null) {
		throw new TypeError(`Expected \`target\` to be a class, got ${typeof target}`);
	}
	expectObject('options', options);
	if (instrumented.has(target)) throw new TypeError(`Expected \`target\` to be a class not instrumented yet; ${target.name} already is`);
	const { shape } = options;
	if (shape !== 'disposable' && shape !== 'handle' && shape !== 'counted') {
		throw new TypeError(`Expected \`shape\` to be one of disposable, handle, counted, got ${String(shape)}`);
	}
	const name = options.name ?? (target.name || 'Object');
	if (typeof name !== 'string' || name === '') throw new TypeError(`Expected \`name\` to be a non-empty string, got ${typeof name}`);
	// With `releasedBy`, references may be given back only through other objects' methods: `release` may be empty.
	const release = keys('release', options.release, options.releasedBy === undefined);
	const clone = keys('clone', options.clone, shape === 'handle');
	const retain = keys('retain', options.retain, shape === 'counted');
	const factories = keys('factories', options.factories, false);
	const proto = target.prototype as object;
	const special = new Set<Key>(['constructor', ...release, ...clone, ...retain]);
	const methods =
		options.methods === 'all'
			? Reflect.ownKeys(proto).filter((k) => !special.has(k) && typeof Object.getOwnPropertyDescriptor(proto, k)?.value === 'function')
			: keys('methods', options.methods, false);
	const what = `${name}.prototype`;
	// Every method is looked up before any is patched: a bad name changes nothing.
	for (const key of [...release, ...clone, ...retain, ...methods]) methodOf(proto, key, what);
	for (const key of factories) methodOf(target, key, name);
	const makers = creators('createdBy', options.createdBy);
	const releasers = creators('releasedBy', options.releasedBy);
	const revokedWhen = options.revokedWhen;
	if (revokedWhen !== undefined) {
		if (typeof revokedWhen !== 'function') throw new TypeError(`Expected \`revokedWhen\` to be a function, got ${revokedWhen === null ? 'null' : typeof revokedWhen}`);
		if (shape !== 'disposable' || makers.length === 0) throw new TypeError(`Expected \`revokedWhen\` only with shape disposable and \`createdBy\`, got shape ${shape}${makers.length === 0 ? ' without createdBy' : ''}`);
	}
	const lost = revokedWhen === undefined ? null : lossWatcher(revokedWhen, name);
	instrumented.add(target);

	for (const key of release) {
		const op = shape === 'disposable' ? 'dispose' : 'release';
		patch(proto, key, what, (original) => {
			const released = function (this: object, ...args: unknown[]): unknown {
				if (shape === 'counted') releaseCounted(this, released);
				else releaseAdopted(this, op, released);
				return original.apply(this, args);
			};
			return released;
		});
	}
	for (const key of retain) {
		patch(proto, key, what, (original) => {
			const retained = function (this: object, ...args: unknown[]): unknown {
				retainCounted(this, retained);
				return original.apply(this, args);
			};
			return retained;
		});
	}
	for (const key of clone) {
		patch(proto, key, what, (original) => {
			const cloned = function (this: object, ...args: unknown[]): unknown {
				checkCall(this, keyName(key), cloned);
				const result = original.apply(this, args);
				adoptClone(this, result, cloned);
				return result;
			};
			return cloned;
		});
	}
	for (const key of methods) {
		patch(proto, key, what, (original) => {
			const checked = function (this: object, ...args: unknown[]): unknown {
				checkCall(this, keyName(key), checked);
				return original.apply(this, args);
			};
			return checked;
		});
	}
	for (const key of factories) {
		patch(target, key, name, (original) => {
			const made = function (this: unknown, ...args: unknown[]): unknown {
				const result = original.apply(this as object, args);
				if (typeof result === 'object' && result !== null) adopt(result, name, shape, made);
				return result;
			};
			return made;
		});
	}
	for (const [holder, key] of makers) patchMaker(holder, key, name, shape, lost);
	for (const [holder, key] of releasers) patchReleaser(holder, key, shape);
	const Base = target as unknown as new (...args: unknown[]) => object;
	// Named in its source: engines without `Error.captureStackTrace` find its frame by that name (string-stacks.ts).
	const Instrumented = class Instrumented extends Base {
		constructor(...args: unknown[]) {
			super(...args);
			adopt(this, name, shape, Instrumented);
		}
	};
	Object.defineProperty(Instrumented, 'name', { value: target.name });
	return Instrumented as unknown as C;
}

/** `createdBy` or `releasedBy`, checked: pairs of an object and the name of one of its methods. @throws TypeError otherwise. */
function creators(option: string, value: unknown): readonly (readonly [object, Key])[] {
	if (value === undefined) return [];
	const pair = (item: unknown): item is readonly [object, Key] =>
		Array.isArray(item) && item.length === 2 && ((typeof item[0] === 'object' && item[0] !== null) || typeof item[0] === 'function') && ((typeof item[1] === 'string' && item[1] !== '') || typeof item[1] === 'symbol');
	if (!Array.isArray(value) || !value.every(pair)) {
		throw new TypeError(`Expected \`${option}\` to be an array of [object, method name] pairs, got ${Array.isArray(value) ? 'an array with other items' : typeof value}`);
	}
	for (const [holder, key] of value) methodOf(holder, key, `${option}'s ${(holder as { constructor?: { name?: string } }).constructor?.name ?? 'object'}`);
	return value;
}

/**
 * Patches a creating method of another object: what it returns is adopted, its stacks cut at the patched
 * method; `lost` (from `revokedWhen`) is told each new object and the object that made it.
 */
function patchMaker(holder: object, key: Key, name: string, shape: InstrumentShape, lost: LossWatcher | null): void {
	patch(holder, key, keyName(key), (original) => {
		const made = function (this: unknown, ...args: unknown[]): unknown {
			const result = original.apply(this as object, args);
			if (typeof result !== 'object' || result === null || typeof (result as { then?: unknown }).then === 'function') return result;
			const fresh = lost !== null && !isAdopted(result);
			adopt(result, name, shape, made);
			if (fresh && typeof this === 'object' && this !== null) lost(this, tokens.get(result)!, made);
			return result;
		};
		return made;
	});
}

/** Patches a releasing method of another object: the object passed first gives its reference back, reported at that call. */
function patchReleaser(holder: object, key: Key, shape: InstrumentShape): void {
	patch(holder, key, keyName(key), (original) => {
		const released = function (this: unknown, ...args: unknown[]): unknown {
			const value = args[0];
			if (typeof value === 'object' && value !== null) {
				if (shape === 'counted') releaseCounted(value, released);
				else releaseAdopted(value, shape === 'disposable' ? 'dispose' : 'release', released);
			}
			return original.apply(this as object, args);
		};
		return released;
	});
}
