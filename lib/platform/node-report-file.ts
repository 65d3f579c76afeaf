import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { FileSink } from './host.js';
import { writeAll } from './node-write.js';

/*
 * Where a report file goes. A regular file (or none yet) is replaced atomically, so readers never see it
 * half-written; anything else the path names is written through, as a shell's `>` would: a symlink keeps
 * being a symlink, a FIFO or device gets the text and stays what it is, and `/dev/stdout` is this
 * process's own stdout.
 */

function statOrNull(path: string, follow: boolean): Stats | null {
	try {
		return follow ? statSync(path) : lstatSync(path);
	} catch {
		return null;
	}
}

/** The descriptor of our own stdout or stderr when `target` is the same file (`/dev/stdout`, `/proc/self/fd/2`). */
function ownStream(target: Stats): number | null {
	for (const fd of [1, 2]) {
		try {
			const stream = fstatSync(fd);
			if (stream.dev === target.dev && stream.ino === target.ino) return fd;
		} catch {
			// Not open: not this one.
		}
	}
	return null;
}

type Text = string | Iterable<string>;

function writeText(fd: number, text: Text): void {
	if (typeof text === 'string') writeAll(fd, text);
	else for (const piece of text) writeAll(fd, piece);
}

/** Opens `path` with `flags`, writes `text` into it piece by piece, closes it. */
function writeFile(path: string, text: Text, flags: number): void {
	const fd = openSync(path, flags, 0o666);
	try {
		writeText(fd, text);
	} finally {
		closeSync(fd);
	}
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;

/** Writes into a FIFO, device or socket. Non-blocking open: a FIFO with no reader fails (ENXIO) rather than hang the exit. */
function writeThrough(path: string, text: Text): void {
	writeFile(path, text, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
}

/** Replaces a regular file by renaming a complete temporary over it; the temporary never outlives a failure. */
function replaceAtomically(path: string, text: Text): void {
	const temporary = `${path}.${process.pid}-${threadId}.tmp`;
	try {
		writeFile(temporary, text, CREATE);
		renameSync(temporary, path);
	} catch (error) {
		try {
			unlinkSync(temporary);
		} catch {
			// Never created.
		}
		throw error;
	}
}

/**
 * Writes a report file: atomically over a regular file or where there is none, through anything else.
 * @throws the system error when the file cannot be written (no temporary is left behind).
 */
export function writeReportFile(path: string, text: Text): void {
	const target = statOrNull(path, true);
	const stream = target === null ? null : ownStream(target);
	if (stream !== null) return writeText(stream, text);
	if (target !== null && !target.isFile()) return writeThrough(path, text);
	if (statOrNull(path, false)?.isSymbolicLink() !== true) return replaceAtomically(path, text);
	// A link to a regular file: replace the file it names, keep the link. A dangling link: create its target.
	if (target === null) return writeFile(path, text, CREATE);
	replaceAtomically(realpathSync(path), text);
}

/** Opens a file to be written in pieces (a trace): created or emptied now, each piece written whole. */
export function openFile(path: string): FileSink {
	const fd = openSync(path, 'w');
	let open = true;
	return {
		write: (text) => writeAll(fd, text),
		close: () => {
			if (open) closeSync(fd);
			open = false;
		},
	};
}
