import { writeSync } from 'node:fs';

/*
 * Whole, synchronous writes to a file descriptor. Reports are written at exit and just before a signal
 * ends the process, when nothing asynchronous runs any more: a stream write would leave whatever a full
 * pipe did not take in a queue that dies with the process, and a stream reports a broken pipe as an
 * 'error' event that kills the application.
 */

// How long, in 1 ms naps, a full non-blocking pipe may take no bytes before the rest is given up:
// long enough for any reader that reads, short enough that a stuck reader cannot hang the program.
const PATIENCE = 2000;
const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd`, waiting while a non-blocking pipe is full (EAGAIN) for as long as its
 * reader makes progress.
 * @throws the system error that stopped the write (EPIPE, ENOSPC, EBADF...), or EAGAIN once the reader stalls.
 */
export function writeAll(fd: number, text: string): void {
	const bytes = Buffer.from(text);
	let done = 0;
	let waited = 0;
	while (done < bytes.length) {
		try {
			done += writeSync(fd, bytes, done);
			waited = 0;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= PATIENCE) throw error;
			Atomics.wait(nap, 0, 0, 1);
			waited += 1;
		}
	}
}

// Set when stderr's reader stopped taking bytes: later final reports are dropped at once instead of each
// waiting out the patience again.
let stalled = false;

/**
 * Writes a final report (at exit, or just before a signal ends the process) to stderr, whole and
 * synchronously; drops it quietly when stderr cannot take it (closed pipe, full disk, no stderr at all,
 * a reader that stopped reading), as `console.error` does: a debugging tool must not kill or hang the
 * program over its own output.
 */
export function writeErrorNow(text: string): void {
	if (stalled) return;
	try {
		writeAll(2, text);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EAGAIN') stalled = true;
	}
}

const ignore = (): void => undefined;

/**
 * Writes a report while the program runs: through `process.stderr`, in order with the application's own
 * output and without ever blocking on a slow reader. A write that fails (a closed pipe, a full disk) is
 * dropped: for the time of the write, and after a failure reported to the callback, an error listener
 * catches the stream's 'error' event when the application has none, as `console.error` arranges.
 */
export function writeErrorStream(text: string): void {
	const stream = process.stderr;
	const guard = stream.listenerCount('error') === 0;
	try {
		if (guard) stream.once('error', ignore);
		stream.write(text, (error) => {
			if (error != null && stream.listenerCount('error') === 0) stream.once('error', ignore);
		});
	} catch {
		// Nowhere left to say it.
	} finally {
		if (guard) stream.removeListener('error', ignore);
	}
}
