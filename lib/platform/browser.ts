import { writeConsoleReport, type ConsoleLike } from './browser-console.js';
import type { AsyncContext, FileSink, Host, ReportSink } from './host.js';
import { stringStacks } from './string-stacks.js';
import { v8Stacks } from './v8-stack.js';

/*
 * The browser host: pages and workers. No Node API: settings come from `configure()` and the page's URL
 * (`?reftrace=full`), reports go to the console, the exit report comes on `pagehide` (the entry adds the
 * console commands). Stacks come from V8's CallSite API in Chromium, and from
 * stack texts in Firefox and Safari (`string-stacks.ts`).
 */

/** The few browser globals used here, declared for this file only (the project's types are Node's). */
interface BrowserGlobals {
	readonly location?: { readonly search: string; readonly href: string };
	readonly addEventListener?: (type: string, listener: () => void, options?: { once?: boolean }) => void;
	readonly document?: unknown;
	readonly console: ConsoleLike & { warn(...args: unknown[]): void };
}
const page = globalThis as unknown as BrowserGlobals;

/** Whether V8's CallSite API works here (Chromium, Edge), rather than only stack texts. */
function hasCallSites(): boolean {
	if (typeof Error.captureStackTrace !== 'function') return false;
	const saved = Error.prepareStackTrace;
	try {
		Error.prepareStackTrace = (_error, sites) => sites;
		const holder: { stack?: unknown } = {};
		Error.captureStackTrace(holder);
		const sites = holder.stack as Array<{ getFileName?: unknown }> | undefined;
		return Array.isArray(sites) && typeof sites[0]?.getFileName === 'function';
	} catch {
		return false;
	} finally {
		try {
			Error.prepareStackTrace = saved;
		} catch {
			// Not writable: then it was not changed either.
		}
	}
}

/** Which stack path this browser takes: `callsites` (V8) or `text` (SpiderMonkey, JavaScriptCore). */
export const stackKind: 'callsites' | 'text' = hasCallSites() ? 'callsites' : 'text';
// Reftrace is bundled into the page (or served from a dev server's module folder): no folder is its own,
// so its frames are cut by the public function called (`above`) alone.
const stacks = stackKind === 'callsites' ? v8Stacks([], ['chrome-extension://']) : stringStacks();

/** `?reftrace=full` (or `off`, `list`) on the page's URL: the mode, as the REFTRACE variable would set it. */
export function environmentFromUrl(search: string): Record<string, string> {
	const value = new URLSearchParams(search).get('reftrace');
	return value === null ? {} : { REFTRACE: value };
}

/** A matcher for wrapper files given as URLs or URL prefixes (a folder's, ending in `/`) and RegExps; null for none. */
function wrapperMatcher(files: readonly (string | RegExp)[]): ((file: string) => boolean) | null {
	if (files.length === 0) return null;
	return (file) =>
		files.some((f) => {
			if (typeof f === 'string') return file === f || (f.endsWith('/') && file.startsWith(f));
			f.lastIndex = 0;
			return f.test(file);
		});
}

const warned = new Set<string>();
const noFiles = (): never => {
	throw new Error('reftrace: a browser has no files to write; read reports with reftrace.snapshot() or reftrace.report() instead');
};

/**
 * Calls each listener when the page is hidden for good or for the back/forward cache (`pagehide`), with
 * status 0; a worker has no such event, so there it is never called.
 */
function onPageHide(listener: (code: number) => void): void {
	page.addEventListener?.('pagehide', () => listener(0), { once: true });
}

// A page or worker id where Node has a pid: each realm has its own time origin, to the microsecond.
const realmId = Math.round(performance.timeOrigin * 1000) % 2 ** 31;

/** A synchronous context: `get()` sees the store inside `run`'s callback and nothing it starts after an `await`. */
function syncContext<T>(): AsyncContext<T> {
	let current: T | undefined;
	return {
		run(store, fn) {
			const outer = current;
			current = store;
			try {
				return fn();
			} finally {
				current = outer;
			}
		},
		get: () => current,
	};
}

/** Browsers (pages and workers). */
export const browserHost: Host = {
	pid: realmId,
	threadId: page.document === undefined ? 1 : 0,
	env: environmentFromUrl(page.location?.search ?? ''),
	// The renderers' ANSI styles are turned into `%c` CSS by the console writer.
	colorLevel: 1,
	writeError: (text) => writeConsoleReport(page.console, text),
	writeFinal: (text) => writeConsoleReport(page.console, text),
	warn: (message, code) => {
		if (warned.has(code)) return;
		warned.add(code);
		page.console.warn(`${message} (${code})`);
	},
	captureFrames: stacks.captureFrames,
	captureFailure: stacks.captureFailure,
	trimErrorStack: stacks.trimErrorStack,
	setWrapperFiles: (files) => stacks.setWrappers(wrapperMatcher(files)),
	// DevTools maps the generated positions the reports print (and the sites error lists) through the page's source maps.
	mapPosition: () => null,
	displayPath: (file) => file,
	readSource: () => null,
	asyncContext: syncContext,
	onExit: onPageHide,
	onStopSignal: () => {},
	// No signals: the live dump is `reftrace.dump()`, called from the console (the browser entry's).
	onDumpSignal: () => {},
	setExitCode: () => {},
	writeFileAtomic: noFiles,
	openFile: (): FileSink => noFiles(),
	openReportFile: (): ReportSink => noFiles(),
};
