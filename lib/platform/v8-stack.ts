import type { Frame, Position } from './host.js';
import { frameTable } from './v8-frames.js';

/*
 * Stack capture through V8's CallSite API (Node, Deno, Chromium). Frames are interned by the frame
 * table (`v8-frames.ts`), so equal frames are one object however often they are captured, and the stack
 * depot then interns whole stacks by frame identity.
 */

const LOCATION = /(?:\(|at (?:async )?)([^()]+):(\d+):(\d+)\)?$/;

function restore(prepare: typeof Error.prepareStackTrace, limit: number): void {
	try {
		Error.prepareStackTrace = prepare;
		Error.stackTraceLimit = limit;
	} catch {
		// Not writable: then it was not changed either.
	}
}

/** The two uses reftrace makes of V8's stack API. */
export interface V8Stacks {
	/**
	 * Captures the stack below the most recent call of `above`, at most `maxFrames` frames deep, hidden
	 * frames left out; null when V8's stack API cannot be used (frozen or accessor-owned
	 * `Error.prepareStackTrace`). The raw trace is reduced to plain data before this returns: an
	 * unformatted trace would keep every frame's receiver and closures alive. The array returned is
	 * reused by the next capture. Call it directly, never through a wrapper: every frame between the
	 * capture and the application's call costs V8 a frame to walk.
	 */
	readonly captureFrames: (maxFrames: number, above: Function) => readonly Frame[] | null;
	/**
	 * Gives `error` a stack that starts below the most recent call of `above`, hidden frames left out.
	 * V8 captures it now and formats it (and the lines are filtered) only if someone reads `error.stack`.
	 */
	readonly trimErrorStack: (error: Error, above: Function) => void;
	/** Why the last capture that returned null failed. */
	readonly captureFailure: () => string;
	/**
	 * Names the stack hook that formats this realm's errors when the realm has none of its own: in a `vm`
	 * context (a test runner's), Node formats with the main realm's `Error.prepareStackTrace`, which the
	 * context cannot see. `hook` is read at each capture.
	 */
	readonly useOuterHook: (hook: () => unknown) => void;
	/**
	 * Frames for which `isWrapper` says true are left out at the top of every capture, until the first frame
	 * that is not one: adapter code, so that sites and owners name the adapter's caller. Null: none.
	 */
	readonly setWrappers: (isWrapper: ((file: string) => boolean) | null) => void;
}

// At most this many frames beyond `stackDepth` are asked for, to see past runs of dependency frames.
const MAX_SLACK = 32;
// Stack bottoms remembered, past which the set starts afresh.
const BOTTOMS_LIMIT = 256;
const OVERRIDDEN = 'Error.prepareStackTrace or Error.stackTraceLimit is not writable or is overridden by an accessor';

/** Stack lines without the wrapper frames at the top (those before the first frame that is not one). */
function withoutWrappers(lines: string[], isWrapper: ((file: string) => boolean) | null): string[] {
	if (isWrapper === null) return lines;
	const first = lines.findIndex((line) => line.startsWith('    at '));
	if (first < 0) return lines;
	let end = first;
	for (; end < lines.length; end++) {
		const file = LOCATION.exec(lines[end]!)?.[1];
		if (file === undefined || !isWrapper(file)) break;
	}
	return [...lines.slice(0, first), ...lines.slice(end)];
}

type Hook = (error: Error, sites: NodeJS.CallSite[]) => unknown;

// Extra frames asked of V8 while wrapper files are set: those skipped at the top must not shorten the stack kept.
const WRAPPER_SLACK = 16;

/**
 * V8 stack capture. Frames of files under `ownDirectories` (reftrace's, as URLs and as paths) are left out
 * of captures and of errors' stacks; frames of files starting with an `internalPrefixes` entry (the
 * runtime's own modules, `node:`) are left out of captures only, as a native error would show them.
 */
export function v8Stacks(ownDirectories: readonly string[], internalPrefixes: readonly string[]): V8Stacks {
	const isHidden = (file: string): boolean => ownDirectories.some((dir) => file.startsWith(dir)) || internalPrefixes.some((prefix) => file.startsWith(prefix));
	const isOwnLine = (line: string): boolean => line.startsWith('    at ') && ownDirectories.some((dir) => line.includes(dir));
	// Reused by every capture; `prepareStackTrace` hands it back, and anything else came from someone else's hook.
	const scratch: Frame[] = [];
	// The prepareStackTrace that was installed when the current capture began; read only for a new frame.
	let borrowed: Hook | undefined;
	// The depth asked for in the current capture.
	let depth = 10;
	let outerHook: (() => unknown) | null = null;
	let failure = OVERRIDDEN;

	// What the runtime's own stack hook (a test runner's, an app's source-map-support) prints for a frame,
	// when that differs from the generated position. The hook runs as it expects to: with itself installed.
	const viaHook = (site: NodeJS.CallSite, file: string, line: number, column: number): Position | null => {
		// Another tool (source-map-support, a test runner) may own prepareStackTrace; borrowed only for this frame.
		const ambient = borrowed === collect ? undefined : (borrowed ?? outer());
		if (ambient === undefined) return null;
		try {
			Error.prepareStackTrace = ambient;
			const text: unknown = ambient(new Error(), [site]);
			const match = typeof text === 'string' ? LOCATION.exec(text.trimEnd()) : null;
			if (match === null) return null;
			const hooked = { file: match[1] ?? file, line: Number(match[2]), column: Number(match[3]) };
			return hooked.file === file && hooked.line === line && hooked.column === column ? null : hooked;
		} catch {
			return null;
		} finally {
			Error.prepareStackTrace = collect;
		}
	};

	const frames = frameTable(isHidden, viaHook);
	let isWrapper: ((file: string) => boolean) | null = null;
	// Frames asked for beyond the depth and the slack: WRAPPER_SLACK while wrapper files are set.
	let extra = 0;
	// Per interned frame: whether it is a wrapper's. Weak, as the frame table may start afresh.
	let wrapperFrames = new WeakMap<Frame, boolean>();
	const wrapperFrame = (frame: Frame, test: (file: string) => boolean): boolean => {
		let known = wrapperFrames.get(frame);
		if (known === undefined) {
			known = test(frame.file);
			wrapperFrames.set(frame, known);
		}
		return known;
	};

	const outer = (): Hook | undefined => {
		const hook = outerHook?.();
		return typeof hook === 'function' ? (hook as Hook) : undefined;
	};

	/*
	 * The depth counts the application's frames: a run of dependency frames (an assertion library's, a
	 * framework's) prints as one line and must not push the application's frames below it out of the
	 * stack. V8 is asked for `depth + slack` frames, each costing a CallSite, so the slack is learned
	 * rather than always paid: when a capture comes back short of `depth` application frames, the longest
	 * run of dependency or hidden frames seen *followed by an application frame* becomes the slack, and
	 * the capture is taken again. A capture that ends inside a run is taken once more with the most slack,
	 * to see whether application frames follow; if none do, the run is a stack's bottom (a test runner's,
	 * a framework's, the event loop's), and its first frame is remembered so that it is not probed again.
	 * So stacks that only end in dependencies cost what they cost before; capturing deeper or twice on
	 * every stack doubled the cost of `full` mode.
	 */
	let slack = 0;
	let limit = 10;
	// Of the last capture: whether it stopped at the limit short of `depth` application frames; the longest
	// run of dependency or hidden frames with an application frame below it; the start of the run it ended
	// in, if it ended in one: its first frame, or for a run that starts with a hidden frame (the runtime's
	// own, which has no Frame: an event loop's frames below which V8 lists the awaiting callers), the
	// position of that frame, taken only when the capture was cut short there.
	let cutShort = false;
	let longestRun = 0;
	let openRun: Frame | string | null = null;
	// Starts of runs found to be a stack's bottom; bounded.
	const bottoms = new Set<Frame | string>();
	const collect = (_error: Error, sites: NodeJS.CallSite[]): Frame[] => {
		scratch.length = 0;
		let kept = 0;
		let run = 0;
		longestRun = 0;
		openRun = null;
		let hiddenStart: NodeJS.CallSite | null = null;
		// While wrapper files are set, hidden and wrapper frames at the top are skipped without counting.
		let top = isWrapper;
		for (const site of sites) {
			const frame = frames.frameOf(site);
			if (top !== null) {
				// Native frames among them (a library's Array.prototype.map, Function.prototype.apply) are its calls too.
				if (frame === null || frame.file === '<unknown>' || wrapperFrame(frame, top)) continue;
				top = null;
			}
			if (frame === null || frame.dependency) {
				if (run++ === 0 && frame === null) hiddenStart = site;
				if (frame !== null) {
					openRun ??= frame;
					scratch.push(frame);
				}
				continue;
			}
			if (kept === depth) break;
			if (run > longestRun) longestRun = run;
			run = 0;
			openRun = null;
			hiddenStart = null;
			kept++;
			scratch.push(frame);
		}
		cutShort = kept < depth && sites.length === limit;
		if (cutShort && run > 0 && hiddenStart !== null) openRun = `${hiddenStart.getFileName() ?? ''}:${hiddenStart.getLineNumber() ?? 0}:${hiddenStart.getColumnNumber() ?? 0}`;
		return scratch;
	};

	/**
	 * Takes the capture again with more slack while it comes back short because of dependency frames: with
	 * the longest run seen followed by an application frame, then, if it still ends inside a run, once with
	 * the most slack. At most two more captures, only while the slack grows.
	 */
	const wider = (above: Function, first: readonly Frame[] | null): readonly Frame[] | null => {
		let captured = first;
		if (cutShort && longestRun > slack) {
			slack = Math.min(MAX_SLACK, longestRun);
			Error.stackTraceLimit = limit = depth + slack + extra;
			captured = take(above);
		}
		const start = openRun;
		if (!cutShort || slack === MAX_SLACK || start === null || bottoms.has(start)) return captured;
		Error.stackTraceLimit = limit = depth + MAX_SLACK + extra;
		captured = take(above);
		if (longestRun > slack) slack = Math.min(MAX_SLACK, longestRun);
		else {
			if (bottoms.size === BOTTOMS_LIMIT) bottoms.clear();
			bottoms.add(start);
		}
		return captured;
	};

	/*
	 * The object every capture is taken on, reused: on a new object V8 adds the `stack` accessor (turning the
	 * object into a dictionary) and its own private slot each time, about a tenth of a capture's cost in V8.
	 * Its stack is read at once, and the formatted stack it then keeps is `scratch`; after a capture that
	 * failed it is replaced, since an unformatted trace would keep frames' receivers and closures alive.
	 */
	let holder: { stack?: unknown } = {};

	const take = (above: Function): readonly Frame[] | null => {
		Error.captureStackTrace(holder, above);
		return holder.stack === scratch ? scratch : null;
	};

	// Only a capture that needs more than one try, or failed, leaves the fast path below.
	const retake = (above: Function, first: readonly Frame[] | null): readonly Frame[] | null => {
		const captured = wider(above, first);
		if (captured === null) failure = OVERRIDDEN;
		// `above` not on the stack (it always is on reftrace's own paths): fall back to skipping hidden files.
		return captured !== null && captured.length === 0 ? take(captureFrames) : captured;
	};
	const failed = (error: unknown): readonly Frame[] | null => {
		holder = {};
		// No room left on the stack: this capture failed, not stack capture as such (no false warning).
		if (error instanceof RangeError) return [];
		failure = `capturing threw ${String(error)}`;
		return null;
	};

	/*
	 * Kept small, with the rare paths out of line, so that V8 inlines it into its callers: every optimized
	 * frame between the capture and the application's call is a frame V8 must reconstruct (its inlined
	 * functions and their values) at each capture, and that cost about a tenth of a `full` pair.
	 */
	const captureFrames = (maxFrames: number, above: Function): readonly Frame[] | null => {
		const savedPrepare = (borrowed = Error.prepareStackTrace);
		const savedLimit = Error.stackTraceLimit;
		try {
			Error.prepareStackTrace = collect;
			depth = maxFrames;
			Error.stackTraceLimit = limit = maxFrames + slack + extra;
			// `take`'s body, written out: an inlined call is one more frame for V8 to reconstruct at each capture.
			Error.captureStackTrace(holder, above);
			const first = holder.stack === scratch ? scratch : null;
			return first === null || cutShort || first.length === 0 ? retake(above, first) : first;
		} catch (error) {
			return failed(error);
		} finally {
			restore(savedPrepare, savedLimit);
		}
	};

	const trimErrorStack = (error: Error, above: Function): void => {
		try {
			// Captured on an object whose prototype is the error, so that V8 formats the error's own heading.
			const holder = Object.create(error) as { stack?: unknown };
			Error.captureStackTrace(holder, above);
			let text: string | undefined;
			const wrappers = isWrapper;
			Object.defineProperty(error, 'stack', {
				configurable: true,
				enumerable: false,
				get: () => (text ??= withoutWrappers(String(holder.stack).split('\n').filter((line) => !isOwnLine(line)), wrappers).join('\n')),
				set: (value: string) => {
					text = value;
				},
			});
		} catch {
			// A frozen error or intrinsics: keep the stack it has.
		}
	};

	const useOuterHook = (hook: () => unknown): void => {
		outerHook = hook;
	};

	const setWrappers = (test: ((file: string) => boolean) | null): void => {
		isWrapper = test;
		extra = test === null ? 0 : WRAPPER_SLACK;
		wrapperFrames = new WeakMap();
	};

	return { captureFrames, trimErrorStack, captureFailure: () => failure, useOuterHook, setWrappers };
}
