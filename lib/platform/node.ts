import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { supportsColorStderr } from 'chalk';
import type { AsyncContext, Host } from './host.js';
import { onExit, onStopSignal, setExitCode } from './node-exit.js';
import { writeReportFile } from './node-report-file.js';
import { displayPath, mapPosition, readSource } from './node-source-map.js';
import { writeErrorNow, writeErrorStream } from './node-write.js';
import { v8Stacks } from './v8-stack.js';

/*
 * reftrace's own files (this folder's parent), by URL and by path, and Node's own modules: never shown in
 * reports. Only while this file sits in its own `platform/` folder: bundled into an application, this
 * folder's parent would be the application's, and every frame would be hidden. Stacks are then cut by the
 * public function called (`above`), which survives bundling, and nothing is hidden by folder.
 */
const LIB_URL = new URL('..', import.meta.url).href;
const unbundled = /\/platform\/node\.[cm]?[jt]s$/.test(new URL(import.meta.url).pathname);
const { captureFrames, trimErrorStack, setWrappers } = v8Stacks(unbundled ? [LIB_URL, fileURLToPath(LIB_URL)] : [], ['node:']);

/** A matcher for wrapper files given as paths, `file:` URLs (files or folders) or RegExps; null for none. */
function wrapperMatcher(files: readonly (string | RegExp)[]): ((file: string) => boolean) | null {
	if (files.length === 0) return null;
	const patterns = files.filter((f): f is RegExp => f instanceof RegExp);
	const paths = files
		.filter((f): f is string => typeof f === 'string')
		.flatMap((f) => {
			const path = f.startsWith('file:') ? fileURLToPath(f) : f;
			return [path, pathToFileURL(path).href];
		});
	const toPath = (file: string): string => (file.startsWith('file:') ? fileURLToPath(file) : file);
	return (file) => {
		if (paths.some((p) => file === p || file.startsWith(p.endsWith('/') ? p : `${p}/`))) return true;
		if (patterns.length === 0) return false;
		const path = toPath(file);
		return patterns.some((re) => {
			re.lastIndex = 0;
			if (re.test(file)) return true;
			re.lastIndex = 0;
			return re.test(path);
		});
	};
}

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
	setWrapperFiles: (files) => setWrappers(wrapperMatcher(files)),
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
};
