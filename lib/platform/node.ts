import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { AsyncContext, Host } from './host.js';
import { onExit, onStopSignal, setExitCode } from './node-exit.js';
import { openFile, writeReportFile } from './node-report-file.js';
import { displayPath, mapPosition, readSource } from './node-source-map.js';
import { writeErrorNow, writeErrorStream } from './node-write.js';
import { readableEnvironment, runtime, stderrColorLevel, warnIfTailCallsDropFrames } from './runtime.js';
import { v8Stacks } from './v8-stack.js';

// reftrace's own files (this folder's parent), by URL and by path, and the runtime's own modules (Node's
// `node:`, Deno's `ext:`): never shown in reports.
const LIB_URL = new URL('..', import.meta.url).href;
const { captureFrames, trimErrorStack, captureFailure, useOuterHook } = v8Stacks([LIB_URL, fileURLToPath(LIB_URL)], ['node:', 'ext:']);
const env = readableEnvironment();
warnIfTailCallsDropFrames();

/**
 * For code running in a `vm` context whose errors the main realm's stack hook formats (Jest's source-map
 * support, for its transformed test files): report positions as that hook prints them. `realmObject` is
 * any function the main realm put into the context (Jest's `setTimeout`); ignored when it is of this realm.
 */
export function useMainRealmStackHook(realmObject: unknown): void {
	if (typeof realmObject !== 'function' || realmObject instanceof Function) return;
	try {
		// The main realm's own Function constructor evaluates in the main realm: its `Error`.
		const mainFunction = (realmObject as { readonly constructor: FunctionConstructor }).constructor;
		const mainError = mainFunction('return Error')() as ErrorConstructor;
		useOuterHook(() => mainError.prepareStackTrace);
	} catch {
		// Not reachable (a frozen or proxied realm): positions stay those of the code as run.
	}
}

/**
 * Node.js, and Deno and Bun through their Node API: process, fs, worker_threads, AsyncLocalStorage, source
 * maps, and the CallSite API for stacks. Deno's call sites are source-mapped already, so positions are not
 * mapped again there.
 */
export const nodeHost: Host = {
	pid: process.pid,
	threadId,
	env,
	colorLevel: stderrColorLevel(env),
	writeError: writeErrorStream,
	writeFinal: writeErrorNow,
	warn: (message, code) => process.emitWarning(message, { code }),
	captureFrames,
	captureFailure,
	trimErrorStack,
	mapPosition: runtime === 'deno' ? () => null : mapPosition,
	displayPath,
	readSource,
	asyncContext<T>(): AsyncContext<T> {
		const storage = new AsyncLocalStorage<T>();
		return { run: (store, fn) => storage.run(store, fn), get: () => storage.getStore() };
	},
	onExit,
	onStopSignal,
	onDumpSignal: (listener) => void process.on('SIGUSR2', listener),
	setExitCode,
	writeFileAtomic: writeReportFile,
	openFile,
};
