/**
 * The platform seam: everything reftrace needs from its runtime, in one small interface. The rest of
 * `lib/` is plain ECMAScript plus this; each runtime's entry point installs its host before anything is
 * tracked. No module may use the host while it loads: entry points install it after their imports run.
 */

/** One call-site frame, reduced to plain data at capture time (nothing here can keep a caller alive). */
export interface Frame {
	/** Function as the runtime names it (`Pool.acquire`, `new Session`), or null for anonymous code. */
	readonly fn: string | null;
	/** File name or URL as the runtime reports it (generated code; mapped to sources only when a report is built). */
	readonly file: string;
	readonly line: number;
	readonly column: number;
	/**
	 * The position as the runtime's own stack formatter (a test runner's or an app's source-map hook)
	 * printed it at capture time, when that differs from the generated one; such hooks are only
	 * reachable while the live call site exists.
	 */
	readonly hooked: Position | null;
	/**
	 * For code from `eval` or `new Function` without a `sourceURL`, where it was compiled, as the runtime
	 * says it: `eval at build (file:///app/gen.js:3:9)`; `file` is then `<anonymous>`. Null for other code.
	 */
	readonly evalOrigin: string | null;
	/** From a package (a `node_modules` folder) or native: runs of such frames print as one line. */
	readonly dependency: boolean;
}

/** A place in a file: 1-based line and column. */
export interface Position {
	readonly file: string;
	readonly line: number;
	readonly column: number;
}

/** Per-async-context storage (Node's AsyncLocalStorage, or whatever the runtime offers). */
export interface AsyncContext<T> {
	run<R>(store: T, fn: () => R): R;
	get(): T | undefined;
}

/** What reftrace asks of the runtime it runs on. */
export interface Host {
	readonly pid: number;
	readonly threadId: number;
	/** The environment, read for REFTRACE_* variables. */
	readonly env: Readonly<Record<string, string | undefined>>;
	/** Colour level of the error stream: 0 none, 1 basic, 2 256 colours, 3 truecolor. */
	readonly colorLevel: 0 | 1 | 2 | 3;
	/** Writes report text to the error stream, whole and at once; drops it quietly when the stream cannot take it. */
	writeError(text: string): void;
	/** Writes a final report (at exit, or as a signal ends the process): whole, before this returns, or dropped. */
	writeFinal(text: string): void;
	/** Emits a one-time warning about reftrace itself (bad settings, no stacks). */
	warn(message: string, code: string): void;
	/**
	 * Captures the calling stack below the most recent call of `above`, with reftrace's own and the
	 * runtime's internal frames left out; null when stacks cannot be captured here; `maxFrames` frames at
	 * most (each costs the runtime work, so exactly those are asked for). Equal frames should be
	 * the same object (the stack depot interns stacks by frame identity; a host may let go of frames nothing
	 * refers to any more), frames of two different scripts never are, and the array may be reused by the next capture.
	 */
	captureFrames(maxFrames: number, above: Function): readonly Frame[] | null;
	/** Why `captureFrames` returned null, as the end of a sentence: `Error.prepareStackTrace is not writable`. */
	captureFailure(): string;
	/**
	 * Sets the files whose frames are adapter code, left out at the top of every later capture: paths or
	 * `file:` URLs (a file, or a folder and everything under it) and RegExps (tested on the path and on the
	 * URL). An empty list sets none.
	 */
	setWrapperFiles(files: readonly (string | RegExp)[]): void;
	/** Makes `error`'s own stack start below the most recent call of `above` (formatted lazily, if at all). */
	trimErrorStack(error: Error, above: Function): void;
	/** The original source position of generated code, through source maps; null when there is none. */
	mapPosition(position: Position): Position | null;
	/** A file as reports print it: a path relative to the working directory where possible. */
	displayPath(file: string): string;
	/** A source file's text, or null when it cannot be read. */
	readSource(file: string): string | null;
	/** A new async-context store. */
	asyncContext<T>(): AsyncContext<T>;
	/** Calls `listener` once as the process exits, with the status it exits with. */
	onExit(listener: (code: number) => void): void;
	/**
	 * Calls `listener` the first time the process is asked to stop (SIGINT, SIGTERM, SIGHUP), then lets the
	 * signal act as it would have without reftrace. `last`: nothing else listens for it, so the process now
	 * dies of it; otherwise the application's other listeners decide.
	 */
	onStopSignal(listener: (signal: string, last: boolean) => void): void;
	/** Calls `listener` each time a live dump is asked for (SIGUSR2), without stopping. */
	onDumpSignal(listener: () => void): void;
	/** Sets the exit code the process will end with, unless something fails after (then that failure's status stands). */
	setExitCode(code: number): void;
	/**
	 * Writes a file: a regular one so that readers never see it half-written; a link, FIFO or device through.
	 * `text` may come in pieces (a large report), written one after another and never joined.
	 */
	writeFileAtomic(path: string, text: string | Iterable<string>): void;
	/** Opens a report file to be written piece by piece, between turns of the event loop: `writeFileAtomic` in steps. @throws the system error. */
	openReportFile(path: string): ReportSink;
	/** Creates (or empties) a file to be written in pieces, synchronously and whole: a trace. @throws the system error. */
	openFile(path: string): FileSink;
}

/** A file written piece by piece; each write is whole before it returns. */
export interface FileSink {
	/** @throws the system error (a full disk, say). */
	write(text: string): void;
	close(): void;
}

/** A report file being written: nothing replaces the old file before `commit`, and `abort` leaves no trace. */
export interface ReportSink {
	/** @throws the system error (a full disk, say). */
	write(text: string): void;
	/** Closes the file and puts it in place. @throws the system error. */
	commit(): void;
	/** Closes the file and removes what was written, where it was written aside. Never throws. */
	abort(): void;
}

let current: Host | null = null;

/** The installed host. @throws Error when no entry point has installed one (a module used it while loading). */
export function host(): Host {
	if (current === null) throw new Error('reftrace: no host installed; import reftrace through one of its entry points');
	return current;
}

/** Installs the runtime's host; the first one installed stays. @returns whether this call installed it. */
export function installHost(candidate: Host): boolean {
	if (current !== null) return false;
	current = candidate;
	return true;
}
