import { readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sourceMapSupport from 'source-map-support';
import type { Frame } from './stack.js';

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

function toPath(file: string): string {
	if (file.startsWith('file://')) {
		try {
			return fileURLToPath(file);
		} catch {
			return file;
		}
	}
	return file;
}

function display(file: string): string {
	const path = toPath(file);
	if (!isAbsolute(path)) return path;
	const rel = relative(process.cwd(), path);
	return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/*
 * Three sources of maps, in order: what the runtime's own stack hook said at capture time (vitest,
 * an app that installed source-map-support), Node's own cache (filled when source maps are enabled, as tsx and
 * test runners do for code they transform in memory), then source-map-support, which reads the
 * `sourceMappingURL` of a file on disk (tsc output run with plain `node`).
 */
function original(frame: Frame): { file: string; line: number; column: number } {
	if (frame.hooked !== null) return frame.hooked;
	const path = toPath(frame.file);
	try {
		const map = findSourceMap(path) ?? (path === frame.file ? undefined : findSourceMap(frame.file));
		if (map !== undefined) {
			const entry = map.findEntry(frame.line - 1, frame.column - 1);
			if ('originalSource' in entry && typeof entry.originalSource === 'string') {
				return { file: entry.originalSource, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
			}
		}
	} catch {
		// A malformed map must not break a report; fall through to the next source.
	}
	if (!path.startsWith('node:') && isAbsolute(path)) {
		try {
			const pos = sourceMapSupport.mapSourcePosition({ source: path, line: frame.line, column: frame.column - 1 });
			if (pos.source !== path || pos.line !== frame.line) {
				return { file: pos.source, line: pos.line, column: pos.column + 1 };
			}
		} catch {
			// As above: show the generated position rather than nothing.
		}
	}
	return { file: frame.file, line: frame.line, column: frame.column };
}

/** Maps a captured frame to its original source position, relative to the working directory. */
export function sourceFrame(frame: Frame): SourceFrame {
	let result = mapped.get(frame);
	if (result === undefined) {
		const pos = original(frame);
		result = { fn: frame.fn, file: display(pos.file), line: pos.line, column: pos.column };
		mapped.set(frame, result);
	}
	return result;
}

/** The text of a source line, trimmed, or null when the file cannot be read. */
export function sourceLine(frame: SourceFrame): string | null {
	const path = toPath(frame.file);
	let lines = sourceLines.get(path);
	if (lines === undefined) {
		try {
			lines = readFileSync(path, 'utf8').split(/\r?\n/);
		} catch {
			lines = null;
		}
		sourceLines.set(path, lines);
	}
	const text = lines?.[frame.line - 1]?.trim();
	return text === undefined || text === '' ? null : text;
}
