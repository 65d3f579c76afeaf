import { host, type Frame } from './platform/host.js';

/**
 * A frame as a person reads it: original source file (relative to the working directory), line and
 * column. For eval'd code, `file` says where it was compiled: `eval at build (app.js:3:9), <anonymous>`.
 */
export interface SourceFrame {
	readonly fn: string | null;
	readonly file: string;
	readonly line: number;
	readonly column: number;
}

// Frames are interned, so each is mapped once however many reports show it.
const mapped = new WeakMap<Frame, SourceFrame>();
// Source files read for reports, by file. Bounded: past SOURCE_FILES files it starts afresh, so a program
// that generates code without end (each script a file name) cannot grow it without end either.
const sourceLines = new Map<string, readonly string[] | null>();
const SOURCE_FILES = 256;

/** An eval origin with the paths in it as reports print paths: `eval at build (app.js:3:9)`. */
function displayOrigin(origin: string): string {
	return origin.replace(/\(([^()]+):(\d+):(\d+)\)/g, (_, file: string, line: string, column: string) => `(${host().displayPath(file)}:${line}:${column})`);
}

/**
 * Maps a captured frame to its original source position, relative to the working directory: what the
 * runtime's own stack hook said at capture time (vitest, an app's source-map-support), else what the
 * host's source maps say, else the generated position.
 */
export function sourceFrame(frame: Frame): SourceFrame {
	let result = mapped.get(frame);
	if (result === undefined) {
		const pos = frame.hooked ?? host().mapPosition(frame) ?? frame;
		// Eval'd code shown as Node shows it: `eval at build (app.js:3:9), <anonymous>`.
		const file = frame.evalOrigin === null ? host().displayPath(pos.file) : `${displayOrigin(frame.evalOrigin)}, ${pos.file}`;
		result = { fn: frame.fn, file, line: pos.line, column: pos.column };
		mapped.set(frame, result);
	}
	return result;
}

/** The text of a source line, trimmed, or null when the file cannot be read. */
export function sourceLine(frame: SourceFrame): string | null {
	let lines = sourceLines.get(frame.file);
	if (lines === undefined) {
		lines = host().readSource(frame.file)?.split(/\r?\n/) ?? null;
		if (sourceLines.size >= SOURCE_FILES) sourceLines.clear();
		sourceLines.set(frame.file, lines);
	}
	const text = lines?.[frame.line - 1]?.trim();
	return text === undefined || text === '' ? null : text;
}
