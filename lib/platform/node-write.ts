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

/**
 * Writes report text to stderr, whole; drops it quietly when stderr cannot take it (closed pipe, full
 * disk, no stderr at all), as `console.error` does: a debugging tool must not kill the program over its
 * own output.
 */
export function writeErrorQuietly(text: string): void {
	try {
		writeAll(2, text);
	} catch {
		// Nowhere left to say it.
	}
}
