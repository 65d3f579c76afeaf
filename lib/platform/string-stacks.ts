import type { Frame } from './host.js';

/*
 * Stack capture where there is no CallSite API (Firefox's SpiderMonkey, Safari's JavaScriptCore): the text
 * of `new Error().stack`, parsed. Both engines write one frame a line as `name@location:line:column`:
 *
 *   Firefox   release@http://localhost:8080/app.js:12:7
 *             async*main@http://localhost:8080/app.js:40:3         (resumed after an await)
 *             build@http://localhost:8080/app.js line 3 > eval:1:9  (code from eval / new Function)
 *   Safari    release@http://localhost:8080/app.js:12:16
 *             global code@http://localhost:8080/app.js:50:1
 *             forEach@[native code]
 *
 * and V8's text form (`    at name (location:line:column)`) is read too, for a V8 whose CallSite API is
 * taken. Where `Error.captureStackTrace` exists (V8; Firefox since 2025, whose texts it writes in its own
 * form; Safari's JavaScriptCore, as WebKitGTK 2.50 shows), the stack is taken below the public function
 * called, by its identity. Elsewhere (older engines) the frames above it are cut at the topmost frame that
 * bears its name (`above.name`, or its name in its own source where an adapter renamed it; a bundler's
 * renaming changes the stack and the names alike): those above it are reftrace's own.
 */

/** One line of a stack text, parsed; null for a line that names no frame (the error's heading). */
export interface ParsedFrame {
	readonly fn: string | null;
	readonly file: string;
	readonly line: number;
	readonly column: number;
	readonly evalOrigin: string | null;
	readonly native: boolean;
}

const GECKO = /^(?:(.*?)@)?(.*?)(?::(\d+))?(?::(\d+))?$/;
const V8_TEXT = /^\s*at (?:(.*?) \()?(.*?)(?::(\d+))?(?::(\d+))?\)?$/;
// Safari's names for code outside any function, which V8 leaves unnamed.
const TOP_LEVEL = new Set(['global code', 'module code', 'eval code']);
// Firefox: `file line 3 > eval` and `file line 3 > Function`, possibly nested.
const GECKO_EVAL = /^(.*?) line (\d+) > (eval|Function)/;

/** Parses one line of an engine's stack text. */
export function parseStackLine(text: string): ParsedFrame | null {
	const line = text.trim();
	if (line === '') return null;
	const v8 = text.startsWith('    at ') ? V8_TEXT.exec(text) : null;
	const match = v8 ?? (line.includes('@') || /:\d+:\d+$/.test(line) || line === '[native code]' ? GECKO.exec(line) : null);
	if (match === null) return null;
	let fn = match[1] === undefined || match[1] === '' || TOP_LEVEL.has(match[1]) ? null : match[1];
	let location = match[2] ?? '';
	const native = location === '[native code]' || location === 'native' || location === '';
	// Firefox marks frames resumed after an await with `async*`, as V8 says `async name`.
	if (fn?.startsWith('async*')) fn = `async ${fn.slice(6) || '<anonymous>'}`;
	let evalOrigin: string | null = null;
	const evaluated = GECKO_EVAL.exec(location);
	if (evaluated !== null) {
		evalOrigin = `${evaluated[3]} at ${evaluated[1]}:${evaluated[2]}`;
		location = '<anonymous>';
	}
	return { fn, file: native ? '<unknown>' : location, line: Number(match[3] ?? 0), column: Number(match[4] ?? 0), evalOrigin, native };
}

/** Parses a whole stack text: the frames of its lines, in order, the heading and blank lines left out. */
export function parseStack(text: string): ParsedFrame[] {
	return text.split('\n').flatMap((line) => {
		const frame = parseStackLine(line);
		return frame === null ? [] : [frame];
	});
}

// Past this many distinct lines the interning table starts afresh (frames handed out stay valid).
const LINE_LIMIT = 32_768;

/** Stack capture from stack texts, with the same contract as `v8Stacks` (see `Host.captureFrames`). */
export interface StringStacks {
	readonly captureFrames: (maxFrames: number, above: Function) => readonly Frame[] | null;
	readonly trimErrorStack: (error: Error, above: Function) => void;
	readonly captureFailure: () => string;
	readonly setWrappers: (isWrapper: ((file: string) => boolean) | null) => void;
}

// A function's name in its own source text (`function wrapped(`, `class Instrumented `, `release(`).
const SOURCE_NAME = /^\s*(?:async\s+)?(?:function\b\s*\*?\s*([\w$]+)|class\s+(?!extends\b)([\w$]+)|(?!function\b|class\b|async\b)\*?\s*([\w$]+)\s*\()/;
const sourceNames = new WeakMap<Function, string | null>();

/**
 * The name stack texts give `above`'s frames, where it differs from `above.name`: engines name a frame
 * after the function as written, and an adapter's patched function has the name of what it patches
 * (`instrument`'s class is `Instrumented` in its source and in the stack, `RawBuffer` by its name).
 */
function sourceName(above: Function): string | null {
	let name = sourceNames.get(above);
	if (name === undefined) {
		try {
			const match = SOURCE_NAME.exec(Function.prototype.toString.call(above));
			name = match === null ? null : (match[1] ?? match[2] ?? match[3] ?? null);
		} catch {
			name = null;
		}
		if (name === above.name) name = null;
		sourceNames.set(above, name);
	}
	return name;
}

/** Whether a frame's function name is `name` (Firefox and Safari print a method as `release`, V8's text as `Ref.release`). */
const named = (fn: string, name: string): boolean => fn === name || fn.endsWith(`.${name}`) || fn.endsWith(`/${name}`) || fn === `async ${name}`;

/** The index of the first line below the topmost frame named like `above`, or `fallback` when none is. */
function cutBelow(lines: readonly string[], above: Function, fallback: number): number {
	const name = above.name;
	const written = sourceName(above);
	if (name === '' && written === null) return fallback;
	for (let i = 0; i < lines.length; i++) {
		const fn = parseStackLine(lines[i]!)?.fn;
		if (fn === undefined || fn === null) continue;
		if ((name !== '' && named(fn, name)) || (written !== null && named(fn, written))) return i + 1;
	}
	return fallback;
}

type CaptureStackTrace = (holder: object, above?: Function) => void;
const captureBelow = (Error as { captureStackTrace?: CaptureStackTrace }).captureStackTrace;

/** The stack text below the most recent call of `above`: '' when it is not on the stack (no frame, at most a heading). */
function textBelow(above: Function): string {
	const holder: { stack?: unknown } = {};
	captureBelow!(holder, above);
	return typeof holder.stack === 'string' && /(?::\d+:\d+\)?|\[native code\])$/m.test(holder.stack) ? holder.stack : '';
}

/**
 * String-stack capture. `readStack`, when given, returns a fresh stack text taken in the function that
 * calls it (whose frames are then cut by name); without it, the engine's `Error.captureStackTrace` is used
 * where there is one.
 */
export function stringStacks(readStack?: () => string | undefined): StringStacks {
	const byIdentity = readStack === undefined && typeof captureBelow === 'function';
	const read = readStack ?? (() => new Error().stack);
	let interned = new Map<string, Frame>();
	let isWrapper: ((file: string) => boolean) | null = null;
	let failure = 'this engine gives errors no stack text';
	const scratch: Frame[] = [];

	const frameOf = (text: string): Frame | null => {
		let frame = interned.get(text);
		if (frame !== undefined) return frame;
		const parsed = parseStackLine(text);
		if (parsed === null) return null;
		if (interned.size >= LINE_LIMIT) interned = new Map();
		frame = {
			fn: parsed.fn,
			file: parsed.file,
			line: parsed.line,
			column: parsed.column,
			hooked: null,
			evalOrigin: parsed.evalOrigin,
			dependency: parsed.native || parsed.file.includes('node_modules/') || parsed.line === 0,
		};
		interned.set(text, frame);
		return frame;
	};

	const captureFrames = (maxFrames: number, above: Function): readonly Frame[] | null => {
		let text: string | undefined;
		let below = false;
		try {
			if (byIdentity) {
				text = textBelow(above);
				below = text !== '';
			}
			if (!below) text = read();
		} catch (error) {
			failure = `reading an error's stack threw ${String(error)}`;
			return null;
		}
		if (typeof text !== 'string' || text === '') return null;
		const lines = text.split('\n');
		// Without `above` on the stack, only the capture's own frames (this one and `read`'s) are left out.
		const headed = lines[0] !== undefined && parseStackLine(lines[0]) === null ? 1 : 0;
		let i = below ? headed : cutBelow(lines, above, headed + 2);
		scratch.length = 0;
		let kept = 0;
		let top = isWrapper;
		for (; i < lines.length && kept < maxFrames; i++) {
			const frame = frameOf(lines[i]!);
			if (frame === null) continue;
			if (top !== null) {
				if (frame.file === '<unknown>' || top(frame.file)) continue;
				top = null;
			}
			scratch.push(frame);
			if (!frame.dependency) kept++;
		}
		return scratch;
	};

	const trimErrorStack = (error: Error, above: Function): void => {
		try {
			if (byIdentity && textBelow(above) !== '') {
				captureBelow!(error, above);
				return;
			}
			const text = error.stack;
			if (typeof text !== 'string') return;
			const lines = text.split('\n');
			const headed = lines[0] !== undefined && parseStackLine(lines[0]) === null;
			const cut = cutBelow(lines, above, -1);
			if (cut < 0) return;
			const kept = [...(headed ? [lines[0]!] : []), ...lines.slice(cut)];
			Object.defineProperty(error, 'stack', { configurable: true, enumerable: false, writable: true, value: kept.join('\n') });
		} catch {
			// A frozen error: keep the stack it has.
		}
	};

	return {
		captureFrames,
		trimErrorStack,
		captureFailure: () => failure,
		setWrappers: (test) => {
			isWrapper = test;
		},
	};
}
