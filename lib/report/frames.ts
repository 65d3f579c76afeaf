/*
 * Frames as reports carry them, `fn (file:line:column)`, read back into their parts: signatures and
 * suppression rules work on the function and the file, never on the line, and they must work the same
 * on a live error and on a JSON report read back from disk.
 */

/** A frame's function (null for anonymous code) and file, without line and column. */
export interface FrameParts {
	readonly fn: string | null;
	readonly file: string;
}

// `:12:5` at the end of a location, and inside an eval origin (`eval at run (app.js:3:9), <anonymous>:1:32`).
const POSITION = /:\d+:\d+(?=\)|,|$)/g;

/** The parts of one printed frame, or null for the folded `… N frames in dependencies` line. */
export function frameParts(text: string): FrameParts | null {
	if (text.startsWith('…')) return null;
	const named = /^(.+?) \((.+)\)$/.exec(text);
	const fn = named === null ? null : named[1]!;
	const where = named === null ? text : named[2]!;
	return { fn, file: where.replace(POSITION, '') };
}

/** Whether a frame belongs to a dependency or the runtime rather than to the application. */
export function isDependencyFrame(parts: FrameParts): boolean {
	return parts.file.includes('node_modules/') || parts.file === 'native' || parts.file.startsWith('node:');
}

/**
 * The application's top frames of a printed stack, innermost first: dependency and runtime frames and the
 * folded lines skipped. A stack of dependency frames only gives its top frames instead, so it still has a name.
 */
export function appFrames(stack: readonly string[], count: number): FrameParts[] {
	const all = stack.map(frameParts).filter((parts): parts is FrameParts => parts !== null);
	const app = all.filter((parts) => !isDependencyFrame(parts));
	return (app.length > 0 ? app : all).slice(0, count);
}
