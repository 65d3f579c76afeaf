import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { FileSink, ReportSink } from './host.js';
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

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;

/** A descriptor written through to its target: closed when done, and nothing to undo. */
function through(fd: number, owned: boolean): ReportSink {
	const close = (): void => {
		if (owned) closeSync(fd);
		owned = false;
	};
	return { write: (text) => writeAll(fd, text), commit: close, abort: close };
}

/** A complete temporary renamed over `path` at commit; the temporary never outlives an abort. */
function atomic(path: string): ReportSink {
	const temporary = `${path}.${process.pid}-${threadId}.tmp`;
	const fd = openSync(temporary, CREATE, 0o666);
	let open = true;
	const close = (): void => {
		if (open) closeSync(fd);
		open = false;
	};
	return {
		write: (text) => writeAll(fd, text),
		commit: () => {
			close();
			renameSync(temporary, path);
		},
		abort: () => {
			try {
				close();
			} catch {
				// Closed badly: the temporary goes all the same.
			}
			try {
				unlinkSync(temporary);
			} catch {
				// Already gone.
			}
		},
	};
}

/**
 * Opens a report file to be written in pieces: atomically over a regular file or where there is none
 * (readers see the old file until `commit`), through anything else. A FIFO, device or socket is opened
 * without blocking: a FIFO with no reader fails (ENXIO) rather than hang the exit.
 * @throws the system error when the file cannot be opened.
 */
export function openReportFile(path: string): ReportSink {
	const target = statOrNull(path, true);
	const stream = target === null ? null : ownStream(target);
	if (stream !== null) return through(stream, false);
	if (target !== null && !target.isFile()) return through(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY), true);
	if (statOrNull(path, false)?.isSymbolicLink() !== true) return atomic(path);
	// A link to a regular file: replace the file it names, keep the link. A dangling link: create its target.
	if (target === null) return through(openSync(path, CREATE, 0o666), true);
	return atomic(realpathSync(path));
}

/**
 * Writes a report file whole (see `openReportFile`).
 * @throws the system error when the file cannot be written (no temporary is left behind).
 */
export function writeReportFile(path: string, text: Text): void {
	const sink = openReportFile(path);
	try {
		if (typeof text === 'string') sink.write(text);
		else for (const piece of text) sink.write(piece);
		sink.commit();
	} catch (error) {
		sink.abort();
		throw error;
	}
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
