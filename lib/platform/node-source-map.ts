import { readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import sourceMapSupport from 'source-map-support';
import type { Position } from './host.js';
import { denied, isDenied } from './runtime.js';

/** A `file://` URL as a path; anything else as it is. */
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

/** The working directory, or null when it cannot be known (it was deleted, or replaced by another). */
function workingDirectory(): string | null {
	try {
		return process.cwd();
	} catch (error) {
		if (isDenied(error)) denied('read');
		return null;
	}
}

/** Whether a relative path climbs out of the directory it is relative to, and only climbs: `..`, `../..`. */
const onlyUp = (rel: string): boolean => rel.split(sep).every((part) => part === '..');

/**
 * A path relative to the working directory when it lies below it, or when it is in a `node_modules` folder
 * Node looks in from there (the working directory's or an enclosing one's: a workspace's hoisted
 * dependencies); absolute otherwise, and always when the working directory is gone.
 */
export function displayPath(file: string): string {
	const path = toPath(file);
	if (!isAbsolute(path)) return path;
	const cwd = workingDirectory();
	if (cwd === null) return path;
	const rel = relative(cwd, path);
	if (isAbsolute(rel)) return path;
	if (rel !== '..' && !rel.startsWith(`..${sep}`)) return rel;
	const modules = path.indexOf(`${sep}node_modules${sep}`);
	return modules >= 0 && onlyUp(relative(cwd, path.slice(0, modules) || sep)) ? rel : path;
}

/*
 * Two sources of maps, in order: Node's own cache (filled when source maps are enabled, as tsx and test
 * runners do for code they transform in memory), then source-map-support, which reads the
 * `sourceMappingURL` of a file on disk (tsc output run with plain `node`).
 */
export function mapPosition(position: Position): Position | null {
	const path = toPath(position.file);
	try {
		const map = findSourceMap(path) ?? (path === position.file ? undefined : findSourceMap(position.file));
		if (map !== undefined) {
			const entry = map.findEntry(position.line - 1, position.column - 1);
			if ('originalSource' in entry && typeof entry.originalSource === 'string') {
				return { file: entry.originalSource, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
			}
		}
	} catch {
		// A malformed map must not break a report; fall through to the next source.
	}
	if (!path.startsWith('node:') && isAbsolute(path)) {
		try {
			const pos = sourceMapSupport.mapSourcePosition({ source: path, line: position.line, column: position.column - 1 });
			if (pos.source !== path || pos.line !== position.line) return { file: pos.source, line: pos.line, column: pos.column + 1 };
		} catch {
			// As above: show the generated position rather than nothing.
		}
	}
	return null;
}

/** A source file's text, or null when it cannot be read. */
export function readSource(file: string): string | null {
	try {
		return readFileSync(toPath(file), 'utf8');
	} catch (error) {
		if (isDenied(error)) denied('read');
		return null;
	}
}
