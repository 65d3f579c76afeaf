import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
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

/** Writes into a FIFO, device or socket. Non-blocking open: a FIFO with no reader fails (ENXIO) rather than hang the exit. */
function writeThrough(path: string, text: string): void {
	const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
	try {
		writeAll(fd, text);
	} finally {
		closeSync(fd);
	}
}

/** Replaces a regular file by renaming a complete temporary over it; the temporary never outlives a failure. */
function replaceAtomically(path: string, text: string): void {
	const temporary = `${path}.${process.pid}-${threadId}.tmp`;
	try {
		writeFileSync(temporary, text);
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
export function writeReportFile(path: string, text: string): void {
	const target = statOrNull(path, true);
	const stream = target === null ? null : ownStream(target);
	if (stream !== null) return writeAll(stream, text);
	if (target !== null && !target.isFile()) return writeThrough(path, text);
	if (statOrNull(path, false)?.isSymbolicLink() !== true) return replaceAtomically(path, text);
	// A link to a regular file: replace the file it names, keep the link. A dangling link: create its target.
	if (target === null) return writeFileSync(path, text);
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
