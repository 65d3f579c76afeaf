import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { supportsColorStderr } from 'chalk';
import type { AsyncContext, Host } from './host.js';
import { onExit, onStopSignal, setExitCode } from './node-exit.js';
import { openFile, writeReportFile } from './node-report-file.js';
import { displayPath, mapPosition, readSource } from './node-source-map.js';
import { writeErrorNow, writeErrorStream } from './node-write.js';
import { v8Stacks } from './v8-stack.js';

// reftrace's own files (this folder's parent), by URL and by path, and Node's own modules: never shown in reports.
const LIB_URL = new URL('..', import.meta.url).href;
const { captureFrames, trimErrorStack } = v8Stacks([LIB_URL, fileURLToPath(LIB_URL)], ['node:']);

/**
 * Colour level for stderr, decided once at load. chalk reads FORCE_COLOR but not NO_COLOR; as in Node
 * itself, FORCE_COLOR wins when both are set.
 */
function stderrLevel(env: NodeJS.ProcessEnv): 0 | 1 | 2 | 3 {
	const detected = supportsColorStderr === false ? 0 : supportsColorStderr.level;
	if (env['FORCE_COLOR'] !== undefined) return detected;
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
	return detected;
}

/** Node.js: process, fs, worker_threads, AsyncLocalStorage, source maps, and V8's CallSite API for stacks. */
export const nodeHost: Host = {
	pid: process.pid,
	threadId,
	env: process.env,
	colorLevel: stderrLevel(process.env),
	writeError: writeErrorStream,
	writeFinal: writeErrorNow,
	warn: (message, code) => process.emitWarning(message, { code }),
	captureFrames,
	trimErrorStack,
	mapPosition,
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
