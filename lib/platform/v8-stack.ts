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
}

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
	// The prepareStackTrace that was installed when the current capture began (not ours).
	let ambient: ((error: Error, sites: NodeJS.CallSite[]) => unknown) | undefined;
	// The depth asked for in the current capture.
	let depth = 10;

	// What the runtime's own stack hook (a test runner's, an app's source-map-support) prints for a frame,
	// when that differs from the generated position. The hook runs as it expects to: with itself installed.
	const viaHook = (site: NodeJS.CallSite, file: string, line: number, column: number): Position | null => {
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

	/*
	 * Every frame V8 hands over counts against the depth, dependency frames too: V8 is asked for exactly
	 * the frames kept, and each costs a CallSite. (Not counting dependency frames between the
	 * application's would mean capturing deeper, or twice, on every stack that passes through a framework
	 * or test runner: measured, that doubled the cost of `full` mode.) Reports fold such runs into one line.
	 */
	const collect = (_error: Error, sites: NodeJS.CallSite[]): Frame[] => {
		scratch.length = 0;
		let used = 0;
		for (const site of sites) {
			if (used === depth) break;
			used++;
			const frame = frames.frameOf(site);
			if (frame !== null) scratch.push(frame);
		}
		return scratch;
	};

	const take = (above: Function): readonly Frame[] | null => {
		const holder: { stack?: unknown } = {};
		Error.captureStackTrace(holder, above);
		return holder.stack === scratch ? scratch : null;
	};

	const captureFrames = (maxFrames: number, above: Function): readonly Frame[] | null => {
		const savedPrepare = Error.prepareStackTrace;
		const savedLimit = Error.stackTraceLimit;
		// Another tool (source-map-support, a test runner) may own prepareStackTrace; borrow it only for this capture.
		ambient = savedPrepare === collect ? undefined : savedPrepare;
		try {
			Error.prepareStackTrace = collect;
			// Exactly the frames asked for: each costs a CallSite.
			Error.stackTraceLimit = depth = maxFrames;
			const captured = take(above);
			// `above` not on the stack (it always is on reftrace's own paths): fall back to skipping hidden files.
			return captured !== null && captured.length === 0 ? take(captureFrames) : captured;
		} catch (error) {
			// No room left on the stack: this capture failed, not stack capture as such (no false warning).
			return error instanceof RangeError ? [] : null;
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
			Object.defineProperty(error, 'stack', {
				configurable: true,
				enumerable: false,
				get: () =>
					(text ??= String(holder.stack)
						.split('\n')
						.filter((line) => !isOwnLine(line))
						.join('\n')),
				set: (value: string) => {
					text = value;
				},
			});
		} catch {
			// A frozen error or intrinsics: keep the stack it has.
		}
	};

	return { captureFrames, trimErrorStack };
}
