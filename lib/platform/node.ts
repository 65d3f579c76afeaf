import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { AsyncContext, Host } from './host.js';
import { onExit, onStopSignal, setExitCode } from './node-exit.js';
import { openFile, openReportFile, writeReportFile } from './node-report-file.js';
import { displayPath, mapPosition, readSource } from './node-source-map.js';
import { writeErrorNow, writeErrorStream } from './node-write.js';
import { readableEnvironment, runtime, stderrColorLevel, warnIfTailCallsDropFrames } from './runtime.js';
import { v8Stacks } from './v8-stack.js';

/*
 * reftrace's own files (this folder's parent), by URL and by path, and the runtime's own modules (Node's
 * `node:`, Deno's `ext:`): never shown in reports. Own files are hidden by folder only while this file sits
 * in its own `platform/` folder: bundled into an application, this folder's parent would be the
 * application's, and every frame would be hidden. Stacks are then cut by the public function called
 * (`above`), which survives bundling, and nothing is hidden by folder.
 */
// This module's URL: the CommonJS build (dist/cjs/, for Jest's CommonJS registry) has no `import.meta`, and
// `__filename` exists only there (or in an application's CommonJS bundle, where the folder test below fails).
const OWN_URL = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
const LIB_URL = new URL('..', OWN_URL).href;
const unbundled = /\/platform\/node\.[cm]?[jt]s$/.test(new URL(OWN_URL).pathname);
const { captureFrames, trimErrorStack, captureFailure, useOuterHook, setWrappers } = v8Stacks(unbundled ? [LIB_URL, fileURLToPath(LIB_URL)] : [], ['node:', 'ext:']);
const env = readableEnvironment();
warnIfTailCallsDropFrames();

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
	setWrapperFiles: (files) => setWrappers(wrapperMatcher(files)),
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
	openReportFile,
};
