import { adopt, adoptClone, releaseAdopted, replaceToken, tokenOf } from './instrument.js';
import { host } from './platform/host.js';
import { belowAdapter } from './ref.js';
import { expectObject } from './settings.js';

/*
 * Emscripten embind modules (CanvasKit, opencv.js, Box2D …): every class handle becomes a tracked
 * reference the first time it reaches JavaScript. Every function of the module, every static and every
 * method of its classes is wrapped; only the outermost wrapped call on the stack acts, so that handles the
 * library makes and deletes inside its own JavaScript are not the application's, and every site is the
 * line of the application that called into the library.
 */

/** Options for `traceEmbind`. */
export interface EmbindOptions {
	/**
	 * Functions whose results the library owns and the application must not delete, as `Class.method`
	 * or a module function's name: CanvasKit's `Surface.getCanvas`. Their handles are never adopted.
	 */
	readonly borrowed?: readonly string[] | undefined;
}

type Fn = (this: unknown, ...args: unknown[]) => unknown;
const CLASS_HANDLE_METHODS = ['isAliasOf', 'clone', 'delete', 'isDeleted', 'deleteLater'];
// Properties of a function that are not its statics.
const NOT_STATICS = new Set<string | symbol>(['length', 'name', 'prototype', 'arguments', 'caller']);
const traced = new WeakSet<object>();

/** The embind `ClassHandle.prototype` above `proto`, or null. */
function classHandleOf(proto: unknown): object | null {
	for (let p = proto; typeof p === 'object' && p !== null; p = Object.getPrototypeOf(p)) {
		if (CLASS_HANDLE_METHODS.every((name) => Object.hasOwn(p as object, name))) return p as object;
	}
	return null;
}

/**
 * Makes every embind class handle of `Module` a tracked reference: constructors and every function or
 * method that returns a handle adopt it; `clone()` acquires; `delete()` releases (a second delete is a
 * double release naming the first); `deleteLater()` moves the reference to the deletion queue; a method
 * called on a deleted handle, or a deleted handle passed to one, is a use-after-release naming the delete.
 * @returns `Module`, changed in place.
 * @throws TypeError when `Module` has no embind classes, was traced already, or an option is invalid.
 * @example
 * const CK = traceEmbind(await CanvasKitInit(), { borrowed: ['Surface.getCanvas'] });
 */
export function traceEmbind<M extends object>(Module: M, options: EmbindOptions = {}): M {
	expectObject('Module', Module);
	expectObject('options', options);
	const borrowed = new Set(options.borrowed ?? []);
	if (!Array.isArray(options.borrowed ?? []) || ![...borrowed].every((b) => typeof b === 'string' && b !== '')) {
		throw new TypeError('Expected `borrowed` to be an array of function names (`Class.method` or a module function)');
	}
	if (traced.has(Module)) throw new TypeError('Expected `Module` to be an embind module not traced yet; it already is');
	const module = Module as Record<string, unknown>;
	const classes = new Map<string, Fn>();
	let handleProto: object | null = null;
	for (const key of Object.keys(module)) {
		const value = module[key];
		if (typeof value !== 'function' || typeof value.prototype !== 'object') continue;
		const found = classHandleOf(Object.getPrototypeOf(value.prototype));
		if (found === null) continue;
		handleProto ??= found;
		classes.set(key, value as Fn);
	}
	if (handleProto === null) throw new TypeError('Expected `Module` to be an embind module with classes; found no ClassHandle');
	traced.add(Module);
	const names = new Map<object, string>([...classes].map(([name, ctor]) => [ctor.prototype as object, name]));
	const nameOf = (handle: object): string => names.get(Object.getPrototypeOf(handle) as object) ?? 'Handle';
	const isHandle = (value: unknown): value is object => typeof value === 'object' && value !== null && handleProto!.isPrototypeOf(value);

	// The wrapped function the application called, while one runs: nested calls leave everything to it.
	let outermost: Function | null = null;

	const checkArguments = (args: readonly unknown[], what: string, above: Function): void => {
		for (const arg of args) {
			if (!isHandle(arg)) continue;
			const token = tokenOf(arg);
			if (token !== undefined && token.state !== 'live') {
				belowAdapter.misuse(token, 'call', above, `${token.label} was passed to ${what}() after its reference ${token.state === 'moved' ? 'went to the deletion queue' : 'was deleted'}`);
			}
		}
	};

	const wrap = (original: Fn, what: string, adopts: boolean): Fn => {
		// Named in its source: engines without `Error.captureStackTrace` find its frame by that name (string-stacks.ts).
		const wrapped = function wrapped(this: unknown, ...args: unknown[]): unknown {
			if (outermost !== null) return original.apply(this, args);
			outermost = wrapped;
			try {
				if (isHandle(this)) {
					const token = tokenOf(this);
					if (token !== undefined && token.state !== 'live') {
						belowAdapter.misuse(token, 'call', wrapped, `${what}() was called on ${token.label} after its reference ${token.state === 'moved' ? 'went to the deletion queue' : 'was deleted'}`);
					}
				}
				checkArguments(args, what, wrapped);
				const result = original.apply(this, args);
				if (adopts && isHandle(result)) adopt(result, nameOf(result), 'handle', wrapped);
				return result;
			} finally {
				outermost = null;
			}
		};
		// embind keeps overload tables and argument counts on the function itself, and reads them from there.
		for (const key of Reflect.ownKeys(original)) {
			if (NOT_STATICS.has(key)) continue;
			const descriptor = Object.getOwnPropertyDescriptor(original, key);
			if (descriptor !== undefined) Object.defineProperty(wrapped, key, descriptor);
		}
		Object.defineProperty(wrapped, 'name', { value: original.name });
		return wrapped;
	};

	const wrapMethods = (holder: object, prefix: string, skip: ReadonlySet<string | symbol>): void => {
		for (const key of Reflect.ownKeys(holder)) {
			if (skip.has(key) || typeof key === 'symbol') continue;
			const descriptor = Object.getOwnPropertyDescriptor(holder, key);
			if (descriptor === undefined || typeof descriptor.value !== 'function' || !descriptor.writable) continue;
			const what = `${prefix}${key}`;
			Object.defineProperty(holder, key, { ...descriptor, value: wrap(descriptor.value as Fn, what, !borrowed.has(what)) });
		}
	};

	for (const [name, ctor] of classes) {
		wrapMethods(ctor.prototype as object, `${name}.`, new Set(['constructor']));
		wrapMethods(ctor, `${name}.`, NOT_STATICS);
		const construct = (target: Fn, args: unknown[], newTarget: Function): object => {
			const made = Reflect.construct(target, args, newTarget) as object;
			if (outermost === null) adopt(made, name, 'handle', construct);
			return made;
		};
		module[name] = new Proxy(ctor, { construct });
	}
	for (const key of Object.keys(module)) {
		const value = module[key];
		if (typeof value === 'function' && !classes.has(key)) module[key] = wrap(value as Fn, key, !borrowed.has(key));
	}
	patchClassHandle(handleProto, module, () => outermost);
	return Module;
}

/** `clone`, `delete` and `deleteLater` of every handle. */
function patchClassHandle(proto: object, module: Record<string, unknown>, current: () => Function | null): void {
	const methods = proto as Record<string, (this: object, ...args: unknown[]) => unknown>;
	const { clone, delete: remove, deleteLater } = methods;
	let warned = false;
	methods['clone'] = function cloned(this: object, ...args: unknown[]): unknown {
		const result = clone!.apply(this, args);
		adoptClone(this, result, current() ?? cloned);
		return result;
	};
	methods['delete'] = function deleted(this: object, ...args: unknown[]): unknown {
		releaseAdopted(this, 'release', current() ?? deleted);
		return remove!.apply(this, args);
	};
	methods['deleteLater'] = function later(this: object, ...args: unknown[]): unknown {
		const token = tokenOf(this);
		if (token !== undefined && token.state === 'live') {
			replaceToken(this, belowAdapter.move(token, 'embind deletion queue', current() ?? later));
			if (!warned && typeof module['setDelayFunction'] !== 'function') {
				warned = true;
				host().warn(
					'reftrace: this embind module has no deletion delay function (no setDelayFunction): handles given to deleteLater() are never deleted, and stay live references owned by the deletion queue',
					'REFTRACE_EMBIND_NO_DELAY',
				);
			}
		}
		return deleteLater!.apply(this, args);
	};
}
