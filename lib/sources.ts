import { host, type Frame } from './platform/host.js';

/** A frame as a person reads it: original source file (relative to the working directory), line and column. */
export interface SourceFrame {
	readonly fn: string | null;
	readonly file: string;
	readonly line: number;
	readonly column: number;
}

// Frames are interned, so each is mapped once however many reports show it.
const mapped = new WeakMap<Frame, SourceFrame>();
const sourceLines = new Map<string, readonly string[] | null>();

/**
 * Maps a captured frame to its original source position, relative to the working directory: what the
 * runtime's own stack hook said at capture time (vitest, an app's source-map-support), else what the
 * host's source maps say, else the generated position.
 */
export function sourceFrame(frame: Frame): SourceFrame {
	let result = mapped.get(frame);
	if (result === undefined) {
		const pos = frame.hooked ?? host().mapPosition(frame) ?? frame;
		result = { fn: frame.fn, file: host().displayPath(pos.file), line: pos.line, column: pos.column };
		mapped.set(frame, result);
	}
	return result;
}

/** The text of a source line, trimmed, or null when the file cannot be read. */
export function sourceLine(frame: SourceFrame): string | null {
	let lines = sourceLines.get(frame.file);
	if (lines === undefined) {
		lines = host().readSource(frame.file)?.split(/\r?\n/) ?? null;
		sourceLines.set(frame.file, lines);
	}
	const text = lines?.[frame.line - 1]?.trim();
	return text === undefined || text === '' ? null : text;
}
